// Mailbox names (Unicode, `/`-separated, INBOX) ↔ MH folder paths relative to the root.
// A name never reaches outside the root and never holds what MH cannot (all-digit components).
import { StoreError } from "./contract.js";

/** The folder path for an IMAP name, or StoreError CANNOT with the reason. */
export function folderPath(name: string): string {
  if (name.includes("\0")) throw new StoreError("CANNOT", "mailbox names cannot contain NUL");
  let n = name;
  if (n.endsWith("/")) n = n.slice(0, -1);
  if (n === "" || n.trim() === "") throw new StoreError("CANNOT", "empty mailbox name");
  if (n.startsWith("/")) throw new StoreError("CANNOT", `mailbox names cannot be absolute: ${name}`);
  const parts = n.split("/");
  if (parts[0].toLowerCase() === "inbox") parts[0] = "inbox";
  for (const p of parts) {
    if (p === "" || p === "." || p === "..") throw new StoreError("CANNOT", `invalid mailbox name: ${name}`);
    if (p.startsWith(".")) throw new StoreError("CANNOT", `mailbox name components cannot start with '.': ${name}`);
    if (/^[0-9]+$/.test(p)) {
      throw new StoreError("CANNOT", `MH cannot hold a folder whose name is all digits: ${name}`);
    }
    if (p.includes("\\")) throw new StoreError("CANNOT", `invalid mailbox name: ${name}`);
  }
  return parts.join("/");
}

/** The IMAP name for a folder path. */
export function mailboxName(path: string): string {
  if (path === "inbox") return "INBOX";
  if (path.startsWith("inbox/")) return "INBOX" + path.slice(5);
  return path;
}
