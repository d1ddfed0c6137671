# Python's imaplib with SORT=DISPLAY, THREAD=REFS, ESORT and a CONTEXT=SEARCH update: prints one
# JSON object with what it saw.
import imaplib, json, sys

from imaplib_login import tls_login

port = int(sys.argv[1])
m = tls_login(port)
# after login: the pre-login list the greeting gave imaplib is shorter
out = {"capabilities": m.capability()[1][0].decode().split(" ")}
m.select("INBOX")
typ, data = m.sort("(DISPLAYFROM)", "UTF-8", "ALL")
out["displayfrom"] = data[0].decode()
typ, data = m.uid("SORT", "(REVERSE DISPLAYTO)", "UTF-8", "ALL")
out["displayto_uids"] = data[0].decode()
typ, data = m.thread("REFS", "UTF-8", "ALL")
out["refs"] = data[0].decode()
# imaplib knows no RETURN options: the ESEARCH answers are read from its untagged responses
typ, data = m._simple_command("UID", "SORT", "RETURN", "(ALL COUNT)", "(REVERSE DISPLAYTO)", "UTF-8", "ALL")
out["esort"] = [d.decode() for d in m._untagged_response(typ, data, "ESEARCH")[1]]
typ, data = m._simple_command("SEARCH", "RETURN", "(UPDATE COUNT)", "KEYWORD", "watched")
out["context"] = [typ, [d.decode() for d in m._untagged_response(typ, data, "ESEARCH")[1]]]
m.store("2:3", "+FLAGS", "(watched)")
out["update"] = [d.decode() for d in m.untagged_responses.pop("ESEARCH", [])]
imaplib.Commands["CANCELUPDATE"] = ("SELECTED",)  # imaplib's table of known commands lacks it
typ, data = m._simple_command("CANCELUPDATE", '"%s"' % out["context"][1][0].split('"')[1])
out["cancel"] = typ
m.logout()
print(json.dumps(out))
