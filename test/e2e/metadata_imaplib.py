# Python's imaplib against the real asimapd: SETMETADATA and GETMETADATA (RFC 5464) and XLIST,
# which imaplib does not know, sent as it sends its own commands; prints one JSON object with
# each command's result and the untagged responses it got.
import imaplib, json, sys

from imaplib_login import tls_login

for name in ("GETMETADATA", "SETMETADATA", "XLIST"):
    imaplib.Commands[name] = ("AUTH", "SELECTED")

port = int(sys.argv[1])
m = tls_login(port)


def text(d):
    return [text(x) for x in d] if isinstance(d, tuple) else d.decode("latin1")


def run(name, *args, untagged=None):
    try:
        typ, data = m._simple_command(name, *args)
    except imaplib.IMAP4.error as e:
        return {"status": "BAD", "text": str(e)}
    got = m.untagged_responses.pop(untagged, []) if untagged else []
    return {"status": typ, "text": text(data[-1]) if data and data[-1] is not None else "",
            "untagged": [text(d) for d in got if d is not None]}


out = {
    "admin": run("GETMETADATA", '""', "/shared/admin", untagged="METADATA"),
    "set": run("SETMETADATA", "INBOX", '(/private/comment "from imaplib" /shared/comment "shared")'),
    "get": run("GETMETADATA", "INBOX", "(/private/comment /shared/comment /private/specialuse)", untagged="METADATA"),
    "remove": run("SETMETADATA", "INBOX", "(/private/comment NIL)"),
    "after": run("GETMETADATA", "INBOX", "/private/comment", untagged="METADATA"),
    "nonexistent": run("GETMETADATA", "nosuch", "/private/comment"),
    "bad": run("GETMETADATA", "INBOX", "/nonsense"),
    "xlist": run("XLIST", '""', '"*"', untagged="XLIST"),
    "noop": m.noop()[0],
}
m.logout()
print(json.dumps(out))
