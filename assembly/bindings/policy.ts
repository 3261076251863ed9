// Canonical-ABI lifting and lowering for `unixsock:ipc/policy`
// (wit/policy.wit, embedder only). `rule` flattens to (permissions, pattern case, ptr, len, types,
// has-peer, same-user, uids ptr, uids len, gids ptr, gids len); lists and
// strings the host passed are ours until post-return.
import { adopt as own, releaseArena } from '../arena';
import { RET } from './abi';
import { deniedCount } from '../sockets/failure';
import * as policy from '../sockets/policy';

function lowerPolicyResult(r: policy.PolicyError): usize {
  store<u8>(RET, r == policy.PolicyError.Ok ? 0 : 1);
  if (r != policy.PolicyError.Ok) store<u8>(RET + 1, <u8>r);
  return RET;
}

export function policy_set_base_directory(ptr: usize, len: u32): usize {
  own(ptr);
  return lowerPolicyResult(policy.setBaseDirectory(ptr, len));
}

export function policy_allow(
  permissions: u32, pattern: i32, ptr: usize, len: u32, types: u32,
  hasPeer: i32, sameUser: i32, uids: usize, uidCount: u32, gids: usize, gidCount: u32,
): usize {
  if (pattern <= <i32>policy.PatternKind.AbstractPrefix) own(ptr);
  if (hasPeer != 0) {
    own(uids);
    own(gids);
  }
  return lowerPolicyResult(policy.allow(
    permissions, <policy.PatternKind>pattern, ptr, len, types, hasPeer != 0, sameUser != 0, uids, uidCount, gids, gidCount,
  ));
}

export function policy_set_limits(hasSockets: i32, sockets: u32, hasDescriptors: i32, descriptors: u32): usize {
  return lowerPolicyResult(policy.setLimits(hasSockets != 0 ? <i64>sockets : -1, hasDescriptors != 0 ? <i64>descriptors : -1));
}

export function policy_lock(): void {
  policy.lock();
}

/** refusal-counts: four u64 at RET. */
export function policy_refusals(): usize {
  store<u64>(RET, deniedCount);
  store<u64>(RET + 8, policy.droppedConnections);
  store<u64>(RET + 16, policy.droppedDatagrams);
  store<u64>(RET + 24, policy.closedDescriptors);
  return RET;
}

export {
  releaseArena as policy_set_base_directory_post,
  releaseArena as policy_allow_post,
};
