/**
 * Program types from section names, following the conventions of libbpf's section table: a
 * section named `PREFIX` or `PREFIX/TARGET` holds programs of that prefix's type, and TARGET
 * (the function, tracepoint or hook to attach to) is reported as `attachTo`.
 */

/**
 * Section name prefixes and the kernel program type (`enum bpf_prog_type`, without its
 * `BPF_PROG_TYPE_` prefix, lower case) each one means. The longest matching prefix wins.
 */
export const PROGRAM_SECTION_TYPES: readonly (readonly [prefix: string, type: string])[] =
  Object.freeze([
    ['socket', 'socket_filter'],
    ['sk_reuseport/migrate', 'sk_reuseport'],
    ['sk_reuseport', 'sk_reuseport'],
    ['kprobe.multi', 'kprobe'],
    ['kretprobe.multi', 'kprobe'],
    ['kprobe', 'kprobe'],
    ['kretprobe', 'kprobe'],
    ['uprobe.multi', 'kprobe'],
    ['uretprobe.multi', 'kprobe'],
    ['uprobe', 'kprobe'],
    ['uretprobe', 'kprobe'],
    ['ksyscall', 'kprobe'],
    ['kretsyscall', 'kprobe'],
    ['usdt', 'kprobe'],
    ['tc', 'sched_cls'],
    ['tcx/ingress', 'sched_cls'],
    ['tcx/egress', 'sched_cls'],
    ['netkit/primary', 'sched_cls'],
    ['netkit/peer', 'sched_cls'],
    ['classifier', 'sched_cls'],
    ['action', 'sched_act'],
    ['tracepoint', 'tracepoint'],
    ['tp', 'tracepoint'],
    ['raw_tracepoint.w', 'raw_tracepoint_writable'],
    ['raw_tp.w', 'raw_tracepoint_writable'],
    ['raw_tracepoint', 'raw_tracepoint'],
    ['raw_tp', 'raw_tracepoint'],
    ['tp_btf', 'tracing'],
    ['fentry', 'tracing'],
    ['fmod_ret', 'tracing'],
    ['fexit', 'tracing'],
    ['fentry.s', 'tracing'],
    ['fmod_ret.s', 'tracing'],
    ['fexit.s', 'tracing'],
    ['freplace', 'ext'],
    ['lsm', 'lsm'],
    ['lsm.s', 'lsm'],
    ['lsm_cgroup', 'lsm'],
    ['iter', 'tracing'],
    ['iter.s', 'tracing'],
    ['syscall', 'syscall'],
    ['xdp.frags/devmap', 'xdp'],
    ['xdp/devmap', 'xdp'],
    ['xdp.frags/cpumap', 'xdp'],
    ['xdp/cpumap', 'xdp'],
    ['xdp.frags', 'xdp'],
    ['xdp', 'xdp'],
    ['perf_event', 'perf_event'],
    ['lwt_in', 'lwt_in'],
    ['lwt_out', 'lwt_out'],
    ['lwt_xmit', 'lwt_xmit'],
    ['lwt_seg6local', 'lwt_seg6local'],
    ['sockops', 'sock_ops'],
    ['sk_skb', 'sk_skb'],
    ['sk_msg', 'sk_msg'],
    ['lirc_mode2', 'lirc_mode2'],
    ['flow_dissector', 'flow_dissector'],
    ['cgroup_skb', 'cgroup_skb'],
    ['cgroup/skb', 'cgroup_skb'],
    ['cgroup/sock_create', 'cgroup_sock'],
    ['cgroup/sock_release', 'cgroup_sock'],
    ['cgroup/sock', 'cgroup_sock'],
    ['cgroup/post_bind4', 'cgroup_sock'],
    ['cgroup/post_bind6', 'cgroup_sock'],
    ['cgroup/dev', 'cgroup_device'],
    ['cgroup/sysctl', 'cgroup_sysctl'],
    ['cgroup/getsockopt', 'cgroup_sockopt'],
    ['cgroup/setsockopt', 'cgroup_sockopt'],
    ['cgroup', 'cgroup_sock_addr'],
    ['struct_ops', 'struct_ops'],
    ['struct_ops.s', 'struct_ops'],
    ['sk_lookup', 'sk_lookup'],
    ['netfilter', 'netfilter'],
  ] as const);

/** A program section's meaning: its program type and what it attaches to. */
export interface ProgramSectionInfo {
  /** Kernel program type (`'xdp'`, `'sched_cls'`, `'kprobe'`, ...), `'unknown'` for other names. */
  readonly type: string;
  /** The part after the prefix's `/` (`'do_sys_open'` in `kprobe/do_sys_open`), if any. */
  readonly attachTo?: string;
}

/**
 * What a program section's name says: the program type, and the attach target after the `/`.
 *
 * @example
 * programTypeOf('kprobe/do_sys_open'); // { type: 'kprobe', attachTo: 'do_sys_open' }
 * programTypeOf('classifier');        // { type: 'sched_cls' }
 */
export function programTypeOf(section: string): ProgramSectionInfo {
  let best: readonly [string, string] | undefined;
  for (const entry of PROGRAM_SECTION_TYPES) {
    const [prefix] = entry;
    const matches = section === prefix || section.startsWith(`${prefix}/`);
    if (matches && (!best || prefix.length > best[0].length)) best = entry;
  }
  if (!best) return { type: 'unknown' };
  const rest = section.slice(best[0].length + 1);
  return rest === '' ? { type: best[1] } : { type: best[1], attachTo: rest };
}
