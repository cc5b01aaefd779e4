// Runs the REAL better-auth package (memory adapter + jwt plugin) on a free
// loopback port, signs up one user over HTTP, fetches a JWT from the jwt
// plugin, prints ONE JSON line to stdout, then keeps serving (so the JWKS at
// /api/auth/jwks stays reachable) until stdin hits EOF or SIGTERM/SIGINT.
// Meanwhile it answers commands, one per stdin line, with one JSON line each:
//   token   a fresh JWT for the user        {"token", "kid", "alg"}
//   rotate  a new signing key (the plugin's createJwk): later tokens use it  {"kid"}
//   down    stop listening (the issuer is unreachable; the port refuses)     {"down": true}
//   up      listen again on the same port                                    {"up": true}
//
// Env:
//   BETTER_AUTH_SECRET  required, >= 32 chars
//   BA_EMAIL            default interop@example.com
//   BA_PASSWORD         default a strong fixed password
//   BA_IDS              uuid (default: generateId "uuid") or default (Better Auth's own ids)
//   JWT_ALG             optional: EdDSA (default), ES256, ES512, RS256, PS256
//
// stdout carries only JSON lines; diagnostics go to stderr.
import http from "node:http";
import readline from "node:readline";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { createJwk, jwt } from "better-auth/plugins/jwt";

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
const ids = (process.env.BA_IDS || "uuid").trim();
if (!["uuid", "default"].includes(ids)) fail(`BA_IDS must be uuid or default (got ${ids})`);
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
  ...(ids === "uuid" ? { advanced: { database: { generateId: "uuid" } } } : {}),
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
let cookieHeader;
try {
  // 1. Sign up (email + password). Returns the session cookie.
  const signUp = await call("/sign-up/email", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, name: "Interop User" }),
  });
  const setCookies = signUp.res.headers.getSetCookie();
  cookieHeader = setCookies.map((c) => c.split(";")[0]).join("; ");
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

// --- commands ------------------------------------------------------------------

async function freshToken() {
  // The plugin's own endpoint, called in-process: works while the HTTP server is down too.
  const { token } = await auth.api.getToken({ headers: new Headers({ cookie: cookieHeader }) });
  const header = decodePart(token.split(".")[0]);
  return { token, kid: header.kid, alg: header.alg };
}

const commands = {
  token: freshToken,
  rotate: async () => {
    const key = await createJwk({ context: await auth.$context }, jwtPluginOptions);
    return { kid: key.id };
  },
  down: async () => {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
    return { down: true };
  },
  up: async () => {
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    return { up: true };
  },
};

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
const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  const name = line.trim();
  queue = queue.then(async () => {
    if (!name) return;
    let answer;
    try {
      if (!commands[name]) throw new Error(`unknown command ${name}`);
      answer = await commands[name]();
    } catch (err) {
      log("command failed:", name, err);
      answer = { error: String(err) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  });
});
lines.on("close", () => queue.then(() => shutdown("stdin EOF")));

process.stdout.write(JSON.stringify(output) + "\n", () => log("ready; serving", baseURL));
