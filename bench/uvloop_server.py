# The uvloop peer of bench/server.js: `python3 bench/uvloop_server.py <kind>`.
#   kind: echo (TCP) | udp (datagram echo)
# uvloop (libuv under Python's asyncio API) written the fastest way it
# allows: asyncio Protocols, whose data_received / datagram_received are
# called straight from libuv's read callbacks with no streams, tasks or
# coroutines in between. Prints one JSON line {"port": n} once listening and
# serves until killed. The bench installs nothing: without uvloop this exits
# with status 3 (see docs/PERFORMANCE.md for how to get it).
import asyncio
import json
import socket
import sys

try:
    import uvloop
except ImportError:
    sys.stderr.write('uvloop is not installed for %s\n' % sys.executable)
    sys.exit(3)


class Echo(asyncio.Protocol):
    __slots__ = ('transport',)

    def connection_made(self, transport):
        self.transport = transport
        # every server of the bench sets TCP_NODELAY (uvloop's default too)
        transport.get_extra_info('socket').setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data):
        self.transport.write(data)

    def connection_lost(self, exc):
        self.transport = None


class DatagramEcho(asyncio.DatagramProtocol):
    __slots__ = ('transport',)

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)

    def error_received(self, exc):
        pass


def ready(port):
    sys.stdout.write(json.dumps({'port': port}) + '\n')
    sys.stdout.flush()


async def main(kind):
    loop = asyncio.get_running_loop()
    if kind == 'echo':
        server = await loop.create_server(Echo, '127.0.0.1', 0, backlog=4096)
        ready(server.sockets[0].getsockname()[1])
    elif kind == 'udp':
        transport, _ = await loop.create_datagram_endpoint(DatagramEcho, local_addr=('127.0.0.1', 0))
        ready(transport.get_extra_info('sockname')[1])
    else:
        raise SystemExit('unknown kind %r' % kind)
    await asyncio.Event().wait()  # until killed


if __name__ == '__main__':
    uvloop.run(main(sys.argv[1]))
