# Drives the server with Python's imaplib; prints one JSON object with what it saw.
import imaplib, json, ssl, sys

port = int(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else "tls"
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the test server's certificate is self-signed
out = {}
if mode == "tls":
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
else:
    m = imaplib.IMAP4("127.0.0.1", port)
    m.starttls(ssl_context=ctx)
m.login("tester", "secret")
typ, boxes = m.list()
out["list"] = [b.decode() for b in boxes]
typ, data = m.select("INBOX")
out["exists"] = int(data[0])
typ, data = m.fetch("1:2", "(FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
out["fetch"] = [d[0].decode() if isinstance(d, tuple) else d.decode() for d in data]
typ, data = m.fetch("3", "(RFC822)")
out["rfc822_len"] = len(data[0][1])
typ, data = m.fetch("3", "(RFC822.SIZE FLAGS)")
out["after_rfc822"] = data[0].decode()
typ, data = m.search(None, "UNSEEN")
out["unseen"] = data[0].decode()
typ, data = m.uid("SEARCH", None, "FLAGGED")
out["flagged_uids"] = data[0].decode()
typ, data = m.store("1", "+FLAGS", "(\\Flagged)")
out["store"] = [d.decode() for d in data]
typ, data = m.copy("1:2", "one")
out["copy"] = typ
out["copy_code"] = m.untagged_responses.get("COPYUID", [b""])[0].decode() if "COPYUID" in m.untagged_responses else None
typ, data = m.append("one", "(\\Seen)", None, b"Subject: from imaplib\r\n\r\nhello\r\n")
out["append"] = [typ, data[0].decode()]
typ, data = m.status("one", "(MESSAGES)")
out["status"] = data[0].decode()
m.store("4", "+FLAGS", "(\\Deleted)")
typ, data = m.expunge()
out["expunge"] = [d.decode() for d in data if d]
m.close()
m.logout()
print(json.dumps(out))
