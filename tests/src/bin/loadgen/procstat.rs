//! CPU time and memory of a process, read from `/proc` (Linux only: the
//! benchmark machine's OS; no extra crate needed for two numbers).

use anyhow::{bail, Context};
use std::sync::OnceLock;

/// Clock ticks per second of `utime`/`stime` in `/proc/<pid>/stat`
/// (`getconf CLK_TCK`; 100 on every Linux we know, used if getconf fails).
pub fn clk_tck() -> u64 {
    static TCK: OnceLock<u64> = OnceLock::new();
    *TCK.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// User + system CPU seconds of every thread of `pid` ("self" for this
/// process) so far.
pub fn cpu_seconds(pid: &str) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    // The command name (field 2) is in parentheses and may hold spaces:
    // count fields from the last ')'. utime and stime are fields 14 and 15,
    // i.e. the 12th and 13th after the name.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        bail!("{path}: unexpected format");
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| -> anyhow::Result<u64> {
        fields
            .get(i)
            .and_then(|f| f.parse().ok())
            .with_context(|| format!("{path}: no field {}", i + 3))
    };
    let ticks = tick(11)? + tick(12)?;
    Ok(ticks as f64 / clk_tck() as f64)
}

/// A `Vm*` line of `/proc/<pid>/status`, in MiB (`VmHWM`: peak resident
/// set; `VmRSS`: current).
pub fn mem_mib(pid: &str, field: &str) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .with_context(|| format!("{path}: no {field}"))?;
    let kib: f64 = line[field.len() + 1..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("{path}: unreadable {field}"))?;
    Ok(kib / 1024.0)
}

/// Machine-wide CPU seconds from the first line of `/proc/stat`, summed
/// over every CPU: (busy, idle). Busy counts every process, so "busy minus
/// ours" is what the rest of the (shared) machine took during a run; idle
/// includes I/O wait.
pub fn machine_cpu_seconds() -> anyhow::Result<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
    let line = stat
        .lines()
        .find(|l| l.starts_with("cpu "))
        .context("/proc/stat: no cpu line")?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already
    // counted in user).
    let get = |i: usize| v.get(i).copied().unwrap_or(0);
    let busy = get(0) + get(1) + get(2) + get(5) + get(6) + get(7);
    let idle = get(3) + get(4);
    let tck = clk_tck() as f64;
    Ok((busy as f64 / tck, idle as f64 / tck))
}

/// Waits up to `max_s` seconds for a second during which the rest of the
/// machine used less than `threshold` of a CPU, so that a run on a shared
/// machine starts in a quiet spell. Returns the load of the last second
/// sampled (in CPUs), quiet or not.
pub fn wait_for_quiet(max_s: f64, threshold: f64) -> anyhow::Result<f64> {
    let start = std::time::Instant::now();
    loop {
        let (b0, _) = machine_cpu_seconds()?;
        std::thread::sleep(std::time::Duration::from_secs(1));
        let (b1, _) = machine_cpu_seconds()?;
        let load = b1 - b0;
        if load < threshold || start.elapsed().as_secs_f64() >= max_s {
            return Ok(load);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_cpu_and_memory() {
        assert!(cpu_seconds("self").unwrap() >= 0.0);
        assert!(mem_mib("self", "VmHWM").unwrap() > 0.0);
        assert!(mem_mib("self", "VmRSS").unwrap() > 0.0);
        let (busy, idle) = machine_cpu_seconds().unwrap();
        assert!(busy > 0.0 && idle >= 0.0);
    }
}
