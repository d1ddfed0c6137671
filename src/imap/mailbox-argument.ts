// Mailbox names as clients send them → names the store knows. INBOX is case-insensitive (also as
// the first level of a hierarchy); names that MH cannot hold or that would leave the mail root
// are refused here with a clear reason before they reach the store (which refuses them too).
import { CommandFailure, no } from "./result.js";

export function normaliseMailbox(name: string): string {
  const parts = name.split("/");
  if (parts[0].toUpperCase() === "INBOX") parts[0] = "INBOX";
  return parts.join("/");
}

/** The name as the store should get it, or a NO [CANNOT] failure. */
export function checkedMailbox(name: string): string {
  const n = normaliseMailbox(name);
  if (n === "") throw new CommandFailure(no("Empty mailbox name.", "CANNOT"));
  if (n.startsWith("/") || n.endsWith("/")) {
    throw new CommandFailure(no("Mailbox name may not begin or end with the hierarchy delimiter.", "CANNOT"));
  }
  for (const part of n.split("/")) {
    if (part === "" || part === "." || part === "..") {
      throw new CommandFailure(no(`Invalid mailbox name: ${JSON.stringify(name)}`, "CANNOT"));
    }
    if (/^[0-9]+$/.test(part)) {
      throw new CommandFailure(
        no(`MH folders cannot be named only with digits: ${JSON.stringify(part)}`, "CANNOT"));
    }
    if (/[\x00-\x1f\x7f]/.test(part)) {
      throw new CommandFailure(no("Mailbox name contains control characters.", "CANNOT"));
    }
  }
  return n;
}
