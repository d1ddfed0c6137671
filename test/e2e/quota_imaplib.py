# Python's imaplib against the real asimapd with a quota: getquotaroot, getquota, an APPEND
# over the limit; prints one JSON object with what it saw.
import imaplib, json, sys

from imaplib_login import tls_login

port = int(sys.argv[1])
m = tls_login(port)
out = {}
typ, data = m.getquotaroot("INBOX")
out["getquotaroot"] = [typ, [[d.decode() for d in part] for part in data]]
typ, data = m.getquota('"User quota"')
out["getquota"] = [typ, [d.decode() for d in data]]
try:
    typ, data = m.setquota('"User quota"', "(STORAGE 1)")
    out["setquota"] = [typ, [d.decode() for d in data]]
except imaplib.IMAP4.error as e:
    out["setquota"] = ["NO", [str(e)]]
big = b"From: a@b.example\r\nSubject: big\r\n\r\n" + b"x" * 20000 + b"\r\n"
typ, data = m.append("INBOX", None, None, big)
out["append"] = [typ, [d.decode() for d in data]]
typ, data = m.noop()
out["noop"] = typ
m.logout()
print(json.dumps(out))
