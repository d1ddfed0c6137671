# Python's imaplib in an IMAP4rev2 session, compressed with COMPRESS=DEFLATE (imaplib knows
# neither, so the ENABLE and COMPRESS are sent as plain commands and zlib wraps the socket, as a
# client library would). Prints one JSON object with what it saw.
import imaplib, json, sys, zlib

from imaplib_login import tls_login

port = int(sys.argv[1])
imaplib.Commands.setdefault("COMPRESS", ("AUTH", "SELECTED"))
m = tls_login(port)
out = {"capabilities": list(m.capabilities)}
typ, data = m._simple_command("COMPRESS", "DEFLATE")
out["compress"] = typ

# from here on both directions are raw deflate (RFC 4978)
sock = m.sock
comp = zlib.compressobj(6, zlib.DEFLATED, -15)
decomp = zlib.decompressobj(-15)
state = {"buf": b"", "wire": 0}

def fill():
    chunk = sock.recv(65536)
    if not chunk:
        raise imaplib.IMAP4.abort("socket closed")
    state["wire"] += len(chunk)
    state["buf"] += decomp.decompress(chunk)

def readline():
    while b"\n" not in state["buf"]:
        fill()
    i = state["buf"].index(b"\n") + 1
    line, state["buf"] = state["buf"][:i], state["buf"][i:]
    return line

def read(n):
    while len(state["buf"]) < n:
        fill()
    data, state["buf"] = state["buf"][:n], state["buf"][n:]
    return data

m.send = lambda data: sock.sendall(comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH))
m.readline = readline
m.read = read

typ, data = m._simple_command("ENABLE", "IMAP4rev2")
out["enabled"] = [d.decode() for d in m.untagged_responses.pop("ENABLED", [])]
typ, data = m.select("INBOX")
out["exists"] = int(data[0])
out["recent"] = "RECENT" in m.untagged_responses and m.untagged_responses["RECENT"] != [None]
out["select_list"] = [d.decode() for d in m.untagged_responses.pop("LIST", [])]
typ, data = m._simple_command("UID", "SEARCH", "ALL")
out["esearch"] = [d.decode() for d in m.untagged_responses.pop("ESEARCH", [])]
typ, data = m.fetch("1:*", "(UID BODY.PEEK[])")
out["bodies"] = sum(len(d[1]) for d in data if isinstance(d, tuple))
out["wire_bytes"] = state["wire"]
typ, data = m.logout()
out["logout"] = typ
print(json.dumps(out))
