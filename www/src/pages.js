// The magic-link confirmation page. Opening the link signs nobody in (mail scanners and link
// previews open links first): the page asks, and its button POSTs the link to /auth/magic.

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]);

export const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

/** `who`: { name, email } of a valid link, or null for an invalid or expired one. */
export function magicPage(who) {
  const body = who
    ? `<h1>Sign in to the edge-jwt demo</h1>
      <p class="lead">Continue as <strong>${escape(who.name)}</strong> <span class="muted">(${escape(who.email)})</span>?</p>
      <button id="confirm" class="primary" type="button">Sign in</button>
      <p id="result" class="result" role="status" aria-live="polite"></p>
      <p class="muted small">The link works once. Opening it did not sign you in: mail scanners open links before people do.</p>`
    : `<h1>This sign-in link can't be used</h1>
      <p class="lead">It is invalid or has expired. Ask for a new one.</p>
      <p><a class="button" href="/">Back to the demo</a></p>`;
  const html = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>Sign in · edge-jwt demo</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/app.css">
</head>
<body class="confirm-page">
  <main class="card narrow">
    ${body}
  </main>
  ${who ? '<script type="module" src="/magic.js"></script>' : ""}
</body>
</html>
`;
  return new Response(html, { status: who ? 200 : 400, headers: PAGE_HEADERS });
}
