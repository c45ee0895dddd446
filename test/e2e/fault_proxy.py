"""A TCP proxy on loopback that breaks connections on purpose, for the fault e2e tests.

    proxy = FaultProxy(upstream_port, seed=7).start()   # listens on 127.0.0.1:proxy.port
    proxy.faults = True        # from now on each new connection draws its fate (below)
    proxy.cut_all()            # a network blip: every open connection is closed at once
    proxy.faults = False       # new connections pass untouched again
    proxy.stats                # {"pass": n, "reset": n, "delay": n, "truncate": n, "stall": n}
    proxy.stop()

It forwards bytes (TLS passes through untouched) and connects upstream from 127.0.0.2, so the
apiserver's audit log tells the proxied client's requests (sourceIPs) from everyone else's.
The fate of a connection, drawn from a random.Random(seed) when it is accepted:
  pass      forwarded as is
  reset     closed at once, before a byte is forwarded
  delay     every chunk, both ways, is held back 0-300 ms
  truncate  closed (both ends) after a random 100 B-64 KiB from the server
  stall     after a random 100 B-64 KiB from the server nothing more is forwarded either way,
            but the sockets stay open: a half-open apiserver, only deadlines get out of it
Runs its own asyncio loop in a daemon thread; stdlib only.
"""

import asyncio
import random
import threading

FATES = (("pass", 0.50), ("reset", 0.10), ("delay", 0.15), ("truncate", 0.15), ("stall", 0.10))
CHUNK = 16384


class FaultProxy:
    def __init__(self, upstream_port, seed, upstream_host="127.0.0.1", source_ip="127.0.0.2"):
        self.upstream = (upstream_host, upstream_port)
        self.source_ip = source_ip
        self.random = random.Random(seed)
        self.faults = False
        self.stats = {name: 0 for name, _ in FATES}
        self.port = None
        self._loop = None
        self._server = None
        self._thread = None
        self._writers = set()
        self._ready = threading.Event()

    # -- control (any thread) --------------------------------------------------------------

    def start(self):
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        return self

    def stop(self):
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._shutdown)
        self._thread.join(10)
        self._loop = None

    def cut_all(self):
        """Close every open connection (both ends) now."""
        self._loop.call_soon_threadsafe(self._close_all)

    # -- the loop's thread -----------------------------------------------------------------

    def _run(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._accepted, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    def _shutdown(self):
        self._server.close()
        self._close_all()
        self._loop.stop()

    def _close_all(self):
        for w in list(self._writers):
            w.close()
        self._writers.clear()

    def _fate(self):
        if not self.faults:
            return "pass"
        x = self.random.random()
        for name, p in FATES:
            if x < p:
                return name
            x -= p
        return "pass"

    async def _accepted(self, client_reader, client_writer):
        fate = self._fate()
        self.stats[fate] += 1
        if fate == "reset":
            client_writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(*self.upstream, local_addr=(self.source_ip, 0)), 5)
        except (OSError, asyncio.TimeoutError):
            client_writer.close()
            return
        self._writers.update((client_writer, up_writer))
        budget = self.random.randint(100, 65536) if fate in ("truncate", "stall") else None
        delay = (lambda: self.random.uniform(0, 0.3)) if fate == "delay" else None
        stalled = asyncio.Event()
        await asyncio.gather(
            self._pump(client_reader, up_writer, client_writer, None, delay, stalled, fate),
            self._pump(up_reader, client_writer, up_writer, budget, delay, stalled, fate),
            return_exceptions=True)
        for w in (client_writer, up_writer):
            w.close()
            self._writers.discard(w)

    async def _pump(self, reader, writer, reader_writer, budget, delay, stalled, fate):
        """Copies reader to writer until EOF, then closes writer. With a `budget`, after that many
        bytes: truncate closes both sockets; stall forwards nothing more, either way, until one
        side closes. `reader_writer` is the writer of the reader's own socket."""
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                if stalled.is_set():
                    continue  # a black hole
                if budget is not None and len(data) >= budget:
                    writer.write(data[:budget])
                    if fate == "stall":
                        stalled.set()
                        continue
                    reader_writer.close()
                    break
                if budget is not None:
                    budget -= len(data)
                if delay is not None:
                    await asyncio.sleep(delay())
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
