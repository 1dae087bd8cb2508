// The systemd notify protocol (sd_notify(3)): each state is one datagram of
// KEY=VALUE lines sent to the Unix socket named by $NOTIFY_SOCKET. Node has no
// Unix datagram sockets (nodejs/node #29339), hence unix-dgram; shelling out
// to systemd-notify races (systemd may not tie the message to this process).
import unixDgram from 'unix-dgram';

export interface NotifySink {
  send(state: string): void;
  close(): void;
}

export class NotifySocketError extends Error {
  constructor(readonly socketPath: string, reason: string) {
    super(`NOTIFY_SOCKET ${socketPath}: ${reason}`);
  }
}

/**
 * A sink for `$NOTIFY_SOCKET`, or undefined when the service manager gave none
 * (run by hand, or `Type=simple`). A send that fails is reported through
 * `onError` and never throws: notifying must not take the router down.
 */
export function openNotifySocket(socketPath: string | undefined, onError: (e: NotifySocketError) => void): NotifySink | undefined {
  if (!socketPath) return undefined;
  // unix-dgram copies the path with strncpy, so an abstract address ('@name') cannot be reached.
  if (socketPath.startsWith('@')) throw new NotifySocketError(socketPath, 'abstract socket addresses are not supported; systemd uses /run/systemd/notify');
  const socket = unixDgram.createSocket('unix_dgram');
  socket.on('error', (e: Error) => onError(new NotifySocketError(socketPath, e.message)));
  let open = true;
  return {
    send(state) {
      if (!open) return;
      const datagram = Buffer.from(state, 'utf8');
      socket.send(datagram, 0, datagram.length, socketPath, (e?: Error) => {
        if (e) onError(new NotifySocketError(socketPath, e.message));
      });
    },
    close() {
      if (!open) return;
      open = false;
      socket.close();
    },
  };
}
