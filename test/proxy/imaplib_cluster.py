# Logs in through the proxy with Python's imaplib from a chosen source address and prints one
# JSON object: the login's answer, and what the user's INBOX holds.
import imaplib, json, socket, ssl, sys

port, mode, user, password, source = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the test's certificate is self-signed


class FromSource(imaplib.IMAP4):
    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(source, 0))


class FromSourceSSL(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout, source_address=(source, 0))
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


out = {}
if mode == "tls":
    m = FromSourceSSL("127.0.0.1", port, ssl_context=ctx, timeout=20)
else:
    m = FromSource("127.0.0.1", port, timeout=20)
    m.starttls(ssl_context=ctx)
try:
    typ, data = m.login(user, password)
    out["login"] = typ
except imaplib.IMAP4.error as e:
    out["login"] = "NO"
    out["error"] = str(e)
    print(json.dumps(out))
    sys.exit(0)
typ, data = m.select("INBOX")
out["exists"] = int(data[0])
out["uidvalidity"] = m.response("UIDVALIDITY")[1][0].decode()
typ, data = m.uid("SEARCH", None, "ALL")
out["uids"] = data[0].decode()
typ, data = m.search(None, "SUBJECT", '"for user"')
hits = data[0].split()
out["own"] = []
for n in hits:
    typ, d = m.fetch(n, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    out["own"].append(d[0][1].decode().strip())
m.logout()
print(json.dumps(out))
