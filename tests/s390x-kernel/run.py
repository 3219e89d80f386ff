#!/usr/bin/env python3
"""Boot the libgmap s390x test kernel under a system emulator.

Usage: run.py qemu QEMU_SYSTEM_S390X KERNEL.elf
       run.py hercules HERCULES KERNEL.bin

Prints the kernel's console output and exits 0 only when it ends with
"N passed, 0 failed" and N > 0; 1 when checks failed, the summary is
missing or the emulator did not stop in time.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 500
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed\s*$", re.M)


def run_qemu(qemu, kernel):
    # The kernel ends in a disabled wait, which QEMU treats as a guest
    # panic: -action panic=shutdown makes that the end of the run.
    cmd = [qemu, "-machine", "s390-ccw-virtio", "-nographic", "-m", "128M",
           "-no-reboot", "-action", "panic=shutdown", "-kernel", kernel]
    print("+ " + " ".join(cmd), flush=True)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=TIMEOUT)
        return p.stdout.decode("latin-1")
    except subprocess.TimeoutExpired as e:
        return (e.stdout or b"").decode("latin-1") + "\nrun.py: timeout\n"


def run_hercules(hercules, image):
    with tempfile.TemporaryDirectory() as tmp:
        # An .ins file names its images relative to its own directory (and
        # Hercules refuses a symbolic link there).
        shutil.copy(image, os.path.join(tmp, "kernel.bin"))
        ins = os.path.join(tmp, "kernel.ins")
        with open(ins, "w") as f:
            f.write("kernel.bin 0x00000000\n")
        cnf = os.path.join(tmp, "hercules.cnf")
        with open(cnf, "w") as f:
            # Hercules wants at least one device: a printer writing to a
            # file in the temporary directory (never /dev/null: Hercules
            # replaces its output file, and as root that turned /dev/null
            # into a regular file); OSTAILOR QUIET keeps it from logging
            # every program check.
            f.write("ARCHMODE z/Arch\nMAINSIZE 128\nNUMCPU 1\nCPUSERIAL 000001\n"
                    "CPUMODEL 2064\nPANRATE SLOW\nOSTAILOR QUIET\n"
                    "000E 1403 printer.txt\n")
        rc = os.path.join(tmp, "hercules.rc")
        with open(rc, "w") as f:
            f.write(f"ipl {ins}\n")
        env = dict(os.environ, HERCULES_RC=rc)
        cmd = [hercules, "-d", "-f", cnf]
        print("+ " + " ".join(cmd) + f"  (HERCULES_RC: ipl {ins})", flush=True)
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, cwd=tmp, env=env)
        out = []
        deadline = time.time() + TIMEOUT
        os.set_blocking(p.stdout.fileno(), False)
        while p.poll() is None:
            if time.time() > deadline:
                out.append("\nrun.py: timeout\n")
                break
            chunk = p.stdout.read()
            if chunk:
                out.append(chunk.decode("latin-1"))
                text = "".join(out)
                if SUMMARY.search(text) or "disabled wait" in text.lower():
                    break
            else:
                time.sleep(0.2)
        p.kill()
        p.wait()
        rest = p.stdout.read()
        if rest:
            out.append(rest.decode("latin-1"))
        return "".join(out)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("qemu", "hercules"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, emulator, kernel = sys.argv[1:]
    out = run_qemu(emulator, kernel) if kind == "qemu" else run_hercules(emulator, kernel)
    print(out)
    m = SUMMARY.findall(out)
    if not m:
        print("run.py: no 'N passed, N failed' line from the kernel")
        return 1
    passed, failed = map(int, m[-1])
    return 0 if passed > 0 and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
