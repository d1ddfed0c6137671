# The test scripts' connection: Python's imaplib over TLS to 127.0.0.1 (the test server's
# certificate is self-signed, so it is not verified), logged in as the test user.
import imaplib, ssl


def tls_login(port: int) -> imaplib.IMAP4_SSL:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    m = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=ctx)
    m.login("tester", "secret")
    return m
