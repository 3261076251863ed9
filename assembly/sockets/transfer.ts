// Moving bytes and descriptors through the engine: what plugins (which hold
// handles, never numbers) and embedders without their own data path use.
// The trusted Node host does not come here; it moves bytes on the
// descriptor natively. Every send and receive is checked by the policy:
// destinations (`send-to`), senders (`receive-from`: a refused datagram is
// dropped and counted), and descriptors either way.
import { AddressKind } from '../address/kinds';
import { outKind, outLen, outPtr } from '../address/output';
import { decodeSockaddr } from '../address/sockaddr';
import { adopt, alloc } from '../arena';
import {
  failed, inControlTruncated, inData, inDataLen, inFdCount, inFds, inName, inNameLen, inTruncated, nameLen,
  sysClose, sysGetPeerName, sysReceive, sysSend, sysWait,
} from '../bindings/syscalls';
import { SocketKind } from '../bindings/types';
import { Attachment, attachmentOf, register as registerAttachment } from './attachment';
import { Errno } from './errno';
import { Operation, osFail, osFailErrno, Permission, policyFail, stateFail } from './failure';
import {
  admit, admitDescriptorCount, countClosedDescriptors, countDroppedDatagram, descriptorCapacity, enforcing, permits,
  useKind, useLen, usePtr,
} from './policy';
import { currentPlatform, encodeForHost } from './system';

/** SCM_MAX_FD: the most descriptors one message carries on Linux. */
const MAX_DESCRIPTORS: u32 = 253;
/** The most bytes one receive asks the host for (a longer datagram is flagged truncated). */
export const MAX_RECEIVE: u32 = 1 << 20;

/** The peer of a connected socket as the sender (`unnamed` when there is none). */
function peerOf(fd: i32): void {
  const r = sysGetPeerName(fd);
  if (failed(r) || !decodeSockaddr(<usize>r, nameLen, currentPlatform())) setOut(AddressKind.Unnamed, 0, 0);
  else fromOut();
}

let senderKind: AddressKind = AddressKind.Unnamed;
let senderPtr: usize = 0;
let senderLen: u32 = 0;

function setOut(kind: AddressKind, ptr: usize, len: u32): void {
  senderKind = kind;
  senderPtr = ptr;
  senderLen = len;
}

function fromOut(): void {
  setOut(outKind, outPtr, outLen);
}

/**
 * send / send-to: `atts` holds `count` attachment reps; `hasTo` names a
 * destination. The bytes the kernel took, or -1 with the failure recorded.
 */
export function send(
  fd: i32, type: SocketKind, data: usize, len: u32, atts: usize, count: u32,
  hasTo: bool, toKind: AddressKind, toPtr: usize, toLen: u32,
): i64 {
  if (fd < 0) { stateFail(); return -1; }
  let sa: usize = 0;
  let saLen: u32 = 0;
  if (hasTo) {
    if (!admit(Permission.SendTo, -1, type, toKind, toPtr, toLen)) return -1;
    const kind = useKind;
    const ptr = usePtr;
    const n = useLen;
    if (!encodeForHost(kind, ptr, n)) return -1;
    sa = outPtr;
    saLen = outLen;
    setOut(kind, ptr, n);
  }
  let fds: usize = 0;
  if (count > 0) {
    // The kernel needs a byte to carry descriptors on a stream.
    if (type == SocketKind.Stream && len == 0) { osFailErrno(Operation.Send, Errno.Invalid); return -1; }
    if (!admitDescriptorCount(count)) return -1;
    if (enforcing) {
      if (!hasTo) peerOf(fd);
      if (!permits(Permission.SendDescriptors, type, senderKind, senderPtr, senderLen)) {
        policyFail(Permission.SendDescriptors);
        return -1;
      }
    }
    fds = alloc(4 * count);
    for (let i: u32 = 0; i < count; i++) {
      const a = attachmentOf(load<i32>(atts + 4 * i));
      // The runtime passes only live borrows: anything else is a bug.
      if (a == null) unreachable();
      const fd = changetype<Attachment>(a).fd;
      if (fd < 0) { stateFail(); return -1; }
      store<i32>(fds + 4 * i, fd);
    }
  }
  const r = sysSend(fd, data, len, fds, count, sa, saLen);
  if (failed(r)) { osFail(Operation.Send, r); return -1; }
  return r;
}

/** The last message received: valid until post-return. */
export let rxData: usize = 0;
export let rxLen: u32 = 0;
export let rxSenderKind: AddressKind = AddressKind.Unnamed;
export let rxSenderPtr: usize = 0;
export let rxSenderLen: u32 = 0;
/** Attachment reps, `rxCount` of them. */
export let rxAttachments: usize = 0;
export let rxCount: u32 = 0;
export let rxTruncated: bool = false;
export let rxDropped: bool = false;

function freeBlock(ptr: usize): void {
  if (ptr >= __heap_base) heap.free(ptr);
}

function closeAll(fds: usize, count: u32): void {
  for (let i: u32 = 0; i < count; i++) sysClose(load<i32>(fds + 4 * i));
  countClosedDescriptors(count);
}

/**
 * receive: one message of at most `max` bytes into rx*; false with the
 * failure recorded (`would-block` when nothing is queued). `fromPeer`: a
 * connection, whose messages come from its peer (descriptors are judged
 * against getpeername); otherwise each datagram's sender is judged.
 */
export function receive(fd: i32, type: SocketKind, max: u32, fromPeer: bool): bool {
  if (fd < 0) return stateFail();
  const capacity = descriptorCapacity(MAX_DESCRIPTORS);
  if (max > MAX_RECEIVE) max = MAX_RECEIVE;
  while (true) {
    const r = sysReceive(fd, max, capacity);
    if (failed(r)) return osFail(Operation.Receive, r);
    const data = inData;
    const dataLen = inDataLen;
    const name = inName;
    const fds = inFds;
    let count = inFdCount;
    let dropped = inControlTruncated;
    const truncated = inTruncated;
    if (fromPeer || inNameLen == 0 || !decodeSockaddr(name, inNameLen, currentPlatform())) {
      setOut(AddressKind.Unnamed, 0, 0);
    } else {
      fromOut();
    }
    if (!fromPeer && enforcing && !permits(Permission.ReceiveFrom, type, senderKind, senderPtr, senderLen)) {
      closeAll(fds, count);
      freeBlock(fds);
      freeBlock(data);
      freeBlock(name);
      countDroppedDatagram();
      continue;
    }
    adopt(data);
    adopt(name);
    rxData = data;
    rxLen = dataLen;
    rxSenderKind = senderKind;
    rxSenderPtr = senderPtr;
    rxSenderLen = senderLen;
    if (count > 0 && enforcing) {
      if (fromPeer) peerOf(fd);
      if (!permits(Permission.ReceiveDescriptors, type, senderKind, senderPtr, senderLen)) {
        closeAll(fds, count);
        count = 0;
        dropped = true;
      }
    }
    rxAttachments = alloc(4 * count);
    for (let i: u32 = 0; i < count; i++) store<i32>(rxAttachments + 4 * i, registerAttachment(load<i32>(fds + 4 * i)));
    freeBlock(fds);
    rxCount = count;
    rxTruncated = truncated;
    rxDropped = dropped;
    return true;
  }
}

/** wait: the readiness bits that are set (0 on timeout), or -1 with the failure recorded. */
export function wait(fd: i32, events: i32, timeoutMs: u32): i32 {
  if (fd < 0) { stateFail(); return -1; }
  const r = sysWait(fd, events & 7, timeoutMs);
  if (failed(r)) { osFail(Operation.Poll, r); return -1; }
  return <i32>r;
}
