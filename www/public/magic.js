// The magic-link confirmation page: POSTs the link (the whole URL, which the token is bound to)
// and goes to the demo page, which picks the session up from the refresh cookie.
const button = document.getElementById("confirm");
const result = document.getElementById("result");

button.addEventListener("click", async () => {
  button.disabled = true;
  result.className = "result";
  result.textContent = "Signing in…";
  try {
    const response = await fetch("/auth/magic", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: location.href }),
    });
    const body = await response.json();
    if (!response.ok) {
      const error = new Error(body.error?.message ?? `HTTP ${response.status}`);
      error.code = body.error?.code;
      throw error;
    }
    history.replaceState(null, "", "/auth/magic"); // the used token leaves the address bar
    if (body.twoFactor) {
      // A two-factor account: the link was the first factor. The demo page asks for the code
      // (its outbox shows it); the pending sign-in goes there in this tab's sessionStorage.
      const { pendingToken, challenge, sentTo, expiresAt, sameBrowser } = body;
      sessionStorage.setItem("edge-jwt-demo:two-factor", JSON.stringify({ pendingToken, challenge, sentTo, expiresAt, sameBrowser }));
      result.className = "result ok";
      result.textContent = `Link accepted. This account has two-factor sign-in: enter the code we texted to ${sentTo}. Taking you there…`;
      setTimeout(() => location.assign("/#two-factor"), 1200);
      return;
    }
    result.className = "result ok";
    result.textContent = body.sameBrowser
      ? `Signed in as ${body.user.name}. Taking you back…`
      : `Signed in as ${body.user.name} — in this browser, which is not the one that asked for the link. Taking you to the demo…`;
    setTimeout(() => location.assign(body.sameBrowser ? "/#signed-in" : "/#signed-in-elsewhere"), body.sameBrowser ? 600 : 2500);
  } catch (error) {
    result.className = "result error";
    result.textContent = `Could not sign in: ${error.message}.`;
    if (["ERR_TOKEN_REUSED", "ERR_JWT_EXPIRED", "ERR_JWT_CLAIM_VALIDATION_FAILED"].includes(error.code)) {
      // Trying again cannot help (the confirm page cannot tell a used link without using it up).
      result.textContent += " Ask for a new link on the demo page.";
      button.hidden = true;
      const back = document.createElement("a");
      back.className = "button";
      back.href = "/";
      back.textContent = "Back to the demo";
      result.after(back);
    } else {
      button.disabled = false;
    }
  }
});
