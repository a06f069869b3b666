// The demo users. Passwords are stored only as salted PBKDF2-SHA256 records, made with
// `node www/scripts/hash-password.mjs <password>`; the demo passwords are listed in README.md
// and printed by `npm run demo`. A real deployment keeps users in its own database.

const USERS = [
  {
    id: "usr_ada",
    name: "Ada Lovelace",
    email: "ada@example.com",
    phone: "+15555550100",
    twoFactor: ["sms"],
    password: { alg: "PBKDF2-SHA256", iterations: 100000, salt: "gkuFOw_5QaDclGhTRekSmQ", hash: "FHp7MpapuS8L8dajEw8VycoGR8Uwh0Ax47wMrJWngg8" },
  },
  {
    id: "usr_grace",
    name: "Grace Hopper",
    email: "grace@example.com",
    phone: "+15555550101",
    twoFactor: [],
    password: { alg: "PBKDF2-SHA256", iterations: 100000, salt: "_OvUQe2P4kdt1XjKFb5lIg", hash: "M95WaZ22X6hPRO4Bzrqprek8CD3Gx0vWCQoNecHF-YE" },
  },
  {
    id: "usr_alan",
    name: "Alan Turing",
    email: "alan@example.com",
    phone: "+15555550102",
    twoFactor: [],
    password: { alg: "PBKDF2-SHA256", iterations: 100000, salt: "zAz3OR-yX3pZWFtusvWMsg", hash: "fz5x6ZYkHDd3o2KEE7Km2d9o_EThoE5pFM-GKXPFDTY" },
  },
  {
    id: "usr_katherine",
    name: "Katherine Johnson",
    email: "katherine@example.com",
    phone: "+15555550103",
    twoFactor: ["sms"],
    password: { alg: "PBKDF2-SHA256", iterations: 100000, salt: "Tey8sqMbBaBNVg6s-SYB3Q", hash: "fybBxDZv7IHHFGw_zBvBClUpqFFx1MFjgzaZ-9GpiTI" },
  },
];

/** Lower-cased and trimmed. */
export const normalizeEmail = (email) => email.trim().toLowerCase();

/** Digits with a leading +; spaces, dashes, dots and brackets ignored. */
export const normalizePhone = (phone) => {
  const digits = phone.replace(/[\s\-().]/g, "");
  return /^\+?\d{6,15}$/.test(digits) ? (digits.startsWith("+") ? digits : `+${digits}`) : null;
};

export const userById = (id) => USERS.find((u) => u.id === id);
export const userByEmail = (email) => USERS.find((u) => u.email === normalizeEmail(email));
export const userByPhone = (phone) => USERS.find((u) => u.phone === normalizePhone(phone));

/** What the API shows of a user. */
export const publicUser = (user) => ({
  id: user.id,
  name: user.name,
  email: user.email,
  phone: maskPhone(user.phone),
  twoFactor: user.twoFactor,
});

export const maskPhone = (phone) => `•••• ${phone.slice(-4)}`;
