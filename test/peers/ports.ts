// Free loopback ports for peers that cannot listen on port 0 and report back (snmpd, net-snmp's agent).
import dgram from "node:dgram";
import net from "node:net";

/**
 * A port on 127.0.0.1 that was free a moment ago: the OS picks it, the probe socket is closed, and the
 * caller binds it. Another process could take it in between; ephemeral ports make that unlikely.
 */
export function freePort(kind: "tcp" | "udp"): Promise<number> {
  return new Promise((resolve, reject) => {
    if (kind === "udp") {
      const socket = dgram.createSocket("udp4");
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
    } else {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    }
  });
}
