"""Graceful shutdown: SIGTERM lets a request in flight finish, and SIGTERM
while the layers load ends the start cleanly with exit status 0.

Each case runs its own server process (not the harness's shared one),
because the test itself sends the signal and checks the exit status.
"""

import os
import signal
import socket
import time
import unittest

import harness

EXIT_TIMEOUT = 30


def layer_copies(n):
    """The harness layers repeated n times under new ids: a slow load."""
    layers = []
    for i in range(n):
        for layer in harness.LAYERS:
            copy = dict(layer)
            copy["id"] = f"{layer['id']}_{i}"
            layers.append(copy)
    return layers


def read_response(sock, timeout=EXIT_TIMEOUT):
    """Read until the peer closes; return the raw response bytes."""
    sock.settimeout(timeout)
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


class Shutdown(unittest.TestCase):

    def start(self, name, layers=None, wait=True):
        port = harness.free_port()
        folder = os.path.join(harness.workdir(), name)
        os.makedirs(os.path.join(folder, "var"))
        config = os.path.join(folder, "vnsdi.yaml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(harness.config_text(port, os.path.join(folder, "var"), layers=layers))
        srv = harness.Server(config, port, folder)
        if wait:
            srv.start()
        else:
            command = [harness.BIN, "serve", "--config", config,
                       "--listen", f"127.0.0.1:{port}"]
            with open(srv.stdout_path, "wb") as out, open(srv.stderr_path, "wb") as err:
                srv.process = harness.subprocess.Popen(command, stdout=out, stderr=err,
                                                       stdin=harness.subprocess.DEVNULL)
        self.addCleanup(self.kill, srv)
        return srv

    @staticmethod
    def kill(srv):
        if srv.process is not None and srv.process.poll() is None:
            srv.process.kill()
            srv.process.wait()

    def wait_exit(self, srv):
        status = srv.process.wait(timeout=EXIT_TIMEOUT)
        self.assertEqual(status, 0, srv.log()[-3000:])
        self.assertEqual(srv.sanitizer_reports(), [], srv.log()[-3000:])

    def test_request_in_flight_completes(self):
        srv = self.start("in-flight")
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        self.addCleanup(sock.close)
        # The request line is in, the headers are not: the request is in
        # flight until the blank line arrives.
        sock.sendall(b"GET /collections/danang_wgs84/items?limit=3&f=json HTTP/1.1\r\n"
                     b"Host: 127.0.0.1\r\n")
        time.sleep(0.5)
        srv.process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        self.assertIsNone(srv.process.poll(), "the server exited with a request in flight")
        # No new connection is accepted while the server drains.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()
        sock.sendall(b"Connection: close\r\n\r\n")
        response = read_response(sock)
        status_line = response.split(b"\r\n", 1)[0]
        self.assertEqual(status_line, b"HTTP/1.1 200 OK", response[:500])
        self.assertIn(b'"FeatureCollection"', response)
        self.wait_exit(srv)
        self.assertIn("waiting up to 30 s for 1 requests in flight", srv.log())

    def test_idle_connection_does_not_delay_exit(self):
        srv = self.start("idle")
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        self.addCleanup(sock.close)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(10)
        self.assertTrue(sock.recv(65536).startswith(b"HTTP/1.1 200"))
        # The keep-alive connection stays open and idle.
        start = time.monotonic()
        srv.process.send_signal(signal.SIGTERM)
        self.wait_exit(srv)
        self.assertLess(time.monotonic() - start, 10)

    def test_rejected_long_requests_do_not_delay_exit(self):
        """Requests that libmicrohttpd rejects itself (a request line near
        its 32 KiB memory limit) are released with their connection: no
        leak, and SIGTERM does not wait for them."""
        srv = self.start("long-lines")
        for length in range(32600, 32760, 16):
            sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            path = b"/collections/danang_wgs84/items?filter=" + b"A" * (length - 39)
            try:
                sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                response = read_response(sock, timeout=10)
            except OSError:
                response = b""
            finally:
                sock.close()
            # A reset or a 4xx; never a 2xx or a 5xx.
            status = response.split(b" ", 2)[1] if response.startswith(b"HTTP/") else b""
            self.assertTrue(status == b"" or status.startswith(b"4"), response[:300])
        self.assertEqual(srv.get("/healthz").status, 200)
        start = time.monotonic()
        srv.process.send_signal(signal.SIGTERM)
        self.wait_exit(srv)
        self.assertLess(time.monotonic() - start, 10, srv.log()[-2000:])
        self.assertNotIn("requests still running", srv.log())

    def test_sigterm_while_loading(self):
        srv = self.start("loading", layers=layer_copies(12), wait=False)
        deadline = time.monotonic() + EXIT_TIMEOUT
        # Signal once the first layer is loaded, well before the last.
        while "layers: layer=" not in srv.log():
            self.assertLess(time.monotonic(), deadline, srv.log()[-2000:])
            self.assertIsNone(srv.process.poll(), srv.log()[-2000:])
            time.sleep(0.01)
        srv.process.send_signal(signal.SIGTERM)
        self.wait_exit(srv)
        log = srv.log()
        self.assertIn("SIGTERM received while loading; exiting without serving", log)
        self.assertNotIn("listening on", log)


if __name__ == "__main__":
    harness.require_environment()
    harness.main()
