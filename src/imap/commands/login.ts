import type { SessionContext } from "../context.js";
import { bad, no, type Result } from "../result.js";

/** LOGIN / AUTHENTICATE after login (RFC 3501 §6.2: only in the not-authenticated state). */
export async function alreadyAuthenticated(_s: SessionContext): Promise<Result> {
  return no("Already logged in.");
}

/** STARTTLS belongs to the root process, before login. */
export async function starttlsAfterLogin(_s: SessionContext): Promise<Result> {
  return bad("STARTTLS is only allowed before login.");
}
