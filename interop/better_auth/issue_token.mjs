// Runs the REAL better-auth package (memory adapter + jwt plugin) on a free
// loopback port, signs up one user over HTTP, fetches a JWT from the jwt
// plugin, prints ONE JSON line to stdout, then keeps serving (so the JWKS at
// /api/auth/jwks stays reachable) until stdin hits EOF or SIGTERM/SIGINT.
//
// Env:
//   BETTER_AUTH_SECRET  required, >= 32 chars
//   BA_EMAIL            default interop@example.com
//   BA_PASSWORD         default a strong fixed password
//   JWT_ALG             optional: EdDSA (default), ES256, ES512, RS256, PS256
//
// stdout carries only the single JSON line; diagnostics go to stderr.
import http from "node:http";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins";

const log = (...args) => console.error("[issue_token]", ...args);

function fail(message, err) {
  log("ERROR:", message, err ?? "");
  process.exit(1);
}

const secret = process.env.BETTER_AUTH_SECRET ?? "";
if (secret.length < 32) {
  fail("BETTER_AUTH_SECRET must be set and at least 32 characters long");
}
const email = process.env.BA_EMAIL || "interop@example.com";
const password = process.env.BA_PASSWORD || "Interop-Passw0rd!-Str0ng-2024";
const jwtAlg = (process.env.JWT_ALG || "").trim();
const SUPPORTED_ALGS = ["EdDSA", "ES256", "ES512", "RS256", "PS256"];
if (jwtAlg && !SUPPORTED_ALGS.includes(jwtAlg)) {
  fail(`JWT_ALG must be one of ${SUPPORTED_ALGS.join(", ")} (got ${jwtAlg})`);
}

// The auth handler is installed once we know the real port.
let handler = null;
const server = http.createServer((req, res) => {
  if (!handler) {
    res.statusCode = 503;
    res.end("not ready");
    return;
  }
  handler(req, res);
});

await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(0, "127.0.0.1", resolve);
});
const { port } = server.address();
const baseURL = `http://127.0.0.1:${port}`;

const db = { user: [], session: [], account: [], verification: [], jwks: [] };

const jwtPluginOptions = jwtAlg
  ? {
      jwks: {
        keyPairConfig:
          jwtAlg === "EdDSA" ? { alg: "EdDSA", crv: "Ed25519" } : { alg: jwtAlg },
      },
    }
  : undefined;

const auth = betterAuth({
  secret,
  baseURL,
  database: memoryAdapter(db),
  emailAndPassword: { enabled: true },
  advanced: { database: { generateId: "uuid" } },
  telemetry: { enabled: false },
  plugins: [jwt(jwtPluginOptions)],
});
handler = toNodeHandler(auth);

async function call(path, init = {}) {
  const res = await fetch(`${baseURL}/api/auth${path}`, {
    ...init,
    headers: { origin: baseURL, ...(init.headers ?? {}) },
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`${init.method ?? "GET"} ${path} -> ${res.status}: ${text}`);
  }
  return { res, body: text ? JSON.parse(text) : null };
}

function decodePart(part) {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

let output;
try {
  // 1. Sign up (email + password). Returns the session cookie.
  const signUp = await call("/sign-up/email", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, name: "Interop User" }),
  });
  const setCookies = signUp.res.headers.getSetCookie();
  const cookieHeader = setCookies.map((c) => c.split(";")[0]).join("; ");
  if (!cookieHeader.includes("session_token=")) {
    throw new Error(`sign-up returned no session cookie (set-cookie: ${JSON.stringify(setCookies)})`);
  }
  const userId = signUp.body?.user?.id;
  log("signed up user", userId);

  // 2. Get a JWT from the jwt plugin's /token endpoint using the session cookie.
  const tokenRes = await call("/token", { headers: { cookie: cookieHeader } });
  const token = tokenRes.body?.token;
  if (!token) throw new Error(`/token returned no token: ${JSON.stringify(tokenRes.body)}`);

  // Cross-check: /get-session also hands out a JWT in the set-auth-jwt header.
  const sessionRes = await call("/get-session", { headers: { cookie: cookieHeader } });
  log("get-session set-auth-jwt header present:", Boolean(sessionRes.res.headers.get("set-auth-jwt")));

  // 3. Make sure the JWKS is served and contains the signing key.
  const jwks = (await call("/jwks")).body;
  const [h, p] = token.split(".");
  const header = decodePart(h);
  const payload = decodePart(p);
  if (!jwks?.keys?.some((k) => k.kid === header.kid)) {
    throw new Error(`kid ${header.kid} not in JWKS ${JSON.stringify(jwks)}`);
  }
  log("jwt header", JSON.stringify(header));
  log("jwt payload", JSON.stringify(payload));

  output = {
    base_url: baseURL,
    jwks_url: `${baseURL}/api/auth/jwks`,
    token,
    user_id: userId ?? payload.sub,
    email,
    issuer: payload.iss,
    audience: payload.aud,
    alg: header.alg,
    kid: header.kid,
  };
} catch (err) {
  server.close();
  fail("could not obtain a token", err);
}

let shuttingDown = false;
function shutdown(reason) {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`shutting down (${reason})`);
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
process.stdin.on("end", () => shutdown("stdin EOF"));
process.stdin.on("error", () => shutdown("stdin error"));
process.stdin.resume();

process.stdout.write(JSON.stringify(output) + "\n", () => log("ready; serving", baseURL));
