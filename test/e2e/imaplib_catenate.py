# Python's imaplib sending CATENATE APPENDs (RFC 4469): a message put together from two URL parts
# of an INBOX message, and one whose URL names no message. Prints one JSON object.
import imaplib, json, re, sys

from imaplib_login import tls_login

m = tls_login(int(sys.argv[1]))
out = {"capabilities": m.capability()[1][0].decode().split(" ")}
m.create("cat")
m.select("INBOX")
uid = int(m.uid("SEARCH", "ALL")[1][0].split()[0])
parts = '(URL "/INBOX/;UID=%d/;SECTION=HEADER" URL ";UID=%d/;SECTION=TEXT")' % (uid, uid)
typ, data = m._simple_command("APPEND", "cat", "CATENATE", parts)
out["append"] = [typ, m.untagged_responses.pop("APPENDUID", [b""])[0].decode() if typ == "OK" else data[0].decode()]
typ, data = m._simple_command("APPEND", "cat", "CATENATE", '(URL "/INBOX/;UID=999999")')
out["badurl"] = [typ, data[0].decode()]
typ, data = m.uid("FETCH", str(uid), "(BODY.PEEK[])")
out["source"] = data[0][1].decode("latin1")
m.select("cat")
typ, data = m.fetch("1:*", "(BODY.PEEK[])")
out["made"] = [d[1].decode("latin1") for d in data if isinstance(d, tuple)]
m.logout()
print(json.dumps(out))
