#!/usr/bin/env node
// Prints the stored record of a password (salted PBKDF2-SHA256), for www/src/users.js:
//   node www/scripts/hash-password.mjs 'the password'
import { hashPassword } from "../src/passwords.js";

const password = process.argv[2];
if (!password) {
  console.error("usage: node www/scripts/hash-password.mjs <password>");
  process.exit(2);
}
console.log(JSON.stringify(await hashPassword(password)));
