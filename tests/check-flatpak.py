#!/usr/bin/env python3
"""check-flatpak.py [--self-test] MANIFEST: the Flatpak manifest is one
flatpak-builder reads without a warning, every source in it is pinned and
watched for updates, its permissions are the narrow ones Vireo needs, its
app id and command are those of data/ and the installed programs, and its
QEMU is the x86_64 system emulator with KVM, slirp and seccomp.

With --self-test it also proves it rejects broken copies of MANIFEST (an
unpinned source, --filesystem=host, …), each written to a temporary tree.

Parsed by `flatpak-builder --show-manifest` when flatpak-builder is
installed (FLATPAK_BUILDER names another one; empty uses python3-yaml
only), else by python3-yaml; with neither the test is skipped (77).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SKIP = 77
SRCDIR = Path(os.environ.get('VIREO_TEST_SRCDIR', Path(__file__).parent)).resolve().parent

REQUIRED_CLEANUP = ['/include', '/lib/pkgconfig', '/share/man', '/share/doc', '*.la', '*.a']
REQUIRED_ARGS = ['--share=network', '--socket=wayland', '--socket=fallback-x11', '--device=kvm']
# a sandbox escape, or the whole home or host, or every device
FORBIDDEN_ARGS = ['--talk-name=org.freedesktop.Flatpak', '--device=all', '--allow=devel',
                  '--socket=session-bus', '--socket=system-bus']
FORBIDDEN_FILESYSTEMS = ['host', 'host-os', 'host-etc', 'home', '~', '/']
QEMU_REQUIRED = ['--target-list=x86_64-softmmu', '--disable-user', '--enable-slirp', '--enable-kvm']
QEMU_FORBIDDEN = ['--disable-kvm', '--disable-tcg', '--disable-slirp', '--disable-vnc',
                  '--disable-tools', '--disable-install-blobs']
SHA256 = re.compile(r'^[0-9a-f]{64}$')
COMMIT = re.compile(r'^[0-9a-f]{40}$')


class Unparsable(Exception):
    pass


def builder():
    name = os.environ.get('FLATPAK_BUILDER', 'flatpak-builder')
    return shutil.which(name) if name else None


def load_with_builder(prog, manifest):
    """The manifest as flatpak-builder understands it; any warning (an
    unknown key, such as a misspelt sha256) is an error."""
    # in a folder of its own: it leaves its state folder (.flatpak-builder)
    # in the current one
    with tempfile.TemporaryDirectory(prefix='vireo-flatpak-builder-') as state:
        run = subprocess.run([prog, '--show-manifest', str(manifest)],
                             capture_output=True, text=True, cwd=state)
    if run.returncode != 0:
        raise Unparsable(f'flatpak-builder --show-manifest failed: {run.stderr.strip()}')
    if 'WARNING' in run.stderr or 'CRITICAL' in run.stderr:
        raise Unparsable(f'flatpak-builder --show-manifest warns: {run.stderr.strip()}')
    return json.loads(run.stdout)


def load_with_yaml(manifest):
    import yaml
    try:
        with open(manifest, encoding='utf-8') as f:
            data = yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise Unparsable(f'{manifest}: {e}') from e
    if not isinstance(data, dict):
        raise Unparsable(f'{manifest}: not a manifest')
    if 'app-id' in data:
        data['id'] = data.pop('app-id')
    return data


def load(manifest):
    prog = builder()
    if prog:
        return load_with_builder(prog, manifest)
    return load_with_yaml(manifest)


def can_load():
    if builder():
        return True
    try:
        import yaml  # noqa: F401
        return True
    except ImportError:
        return False


def modules_of(modules, base):
    """Every module, nested ones too; a module given as a file name is read
    from that file (flatpak-builder's own output has them inlined)."""
    for module in modules or []:
        if isinstance(module, str):
            with open(base / module, encoding='utf-8') as f:
                module = json.load(f)
        yield module
        yield from modules_of(module.get('modules'), base)


def check_source(module, source, manifest_dir, problems):
    name = module.get('name', '?')
    kind = source.get('type', '?')
    where = f"module {name}: {kind} source {source.get('url') or source.get('path') or ''}".rstrip()

    if kind == 'dir':
        # only the tree that holds flatpak/, that is, Vireo itself
        if (manifest_dir / source.get('path', '')).resolve() != manifest_dir.parent.resolve():
            problems.append(f'{where}: a dir source must be the app\'s own tree (path: ..)')
        return
    if kind == 'git':
        if not source.get('tag') or not COMMIT.match(source.get('commit', '')):
            problems.append(f'{where}: a git source needs both a tag and a 40-digit commit')
        if source.get('branch'):
            problems.append(f'{where}: a git source must not follow a branch')
    elif kind in ('archive', 'file', 'patch'):
        if 'url' not in source:
            # in the tree itself, pinned by its commit
            local = (manifest_dir / source.get('path', '')).resolve()
            if not local.is_relative_to(manifest_dir.parent.resolve()):
                problems.append(f'{where}: a local {kind} must be a file of the tree')
            return
        if not SHA256.match(source.get('sha256', '')):
            problems.append(f'{where}: has no sha256')
    elif kind not in ('shell', 'script'):
        problems.append(f'{where}: a source of type {kind} cannot be pinned here')
        return
    else:
        return
    checker = source.get('x-checker-data')
    if not isinstance(checker, dict) or not checker.get('type'):
        problems.append(f'{where}: has no x-checker-data')


def check_sources(manifest, manifest_dir, problems):
    modules = list(modules_of(manifest.get('modules'), manifest_dir))
    if not modules:
        problems.append('no modules')
    for module in modules:
        for source in module.get('sources') or []:
            if isinstance(source, str):
                problems.append(f"module {module.get('name')}: source file {source}: inline it")
                continue
            check_source(module, source, manifest_dir, problems)
    return modules


def check_permissions(args, problems):
    for arg in args:
        if arg in FORBIDDEN_ARGS:
            problems.append(f'forbidden permission {arg}')
        if arg.startswith('--filesystem='):
            place = arg.split('=', 1)[1].split(':')[0]   # without :ro, :rw, :create
            if place in FORBIDDEN_FILESYSTEMS or place.rstrip('/') in FORBIDDEN_FILESYSTEMS:
                problems.append(f'forbidden permission {arg}')
    if '--socket=x11' in args and '--socket=fallback-x11' in args:
        problems.append('--socket=x11 together with --socket=fallback-x11')
    for arg in REQUIRED_ARGS:
        if arg not in args:
            problems.append(f'missing permission {arg}')


def read_text(path):
    return (SRCDIR / path).read_text(encoding='utf-8')


def net_helper_name():
    match = re.search(r'^Name=(\S+)$', read_text('data/dev.vireo.Net1.service.in'), re.M)
    return match.group(1) if match else None


def installed_programs():
    """Names of the executables a meson.build installs."""
    names = set()
    for build in SRCDIR.rglob('meson.build'):
        if any(part.startswith('build') for part in build.relative_to(SRCDIR).parts[:-1]):
            continue
        text = build.read_text(encoding='utf-8')
        for match in re.finditer(r"executable\(\s*'([^']+)'(.*?)\n\)", text, re.S):
            if re.search(r'install:\s*true', match.group(2)):
                names.add(match.group(1))
    return names


def check_identity(manifest, problems):
    app_id = manifest.get('id')
    # the metainfo is a template that the build translates
    metainfo_path = f'data/{app_id}.metainfo.xml.in'
    metainfo = re.search(r'<id>([^<]+)</id>', read_text(metainfo_path)
                         if (SRCDIR / metainfo_path).exists() else '')
    if not metainfo or metainfo.group(1) != app_id:
        problems.append(f'app id {app_id} is not the id of {metainfo_path}')
    desktop = SRCDIR / f'data/{app_id}.desktop.in'
    exec_line = re.search(r'^Exec=(\S+)', desktop.read_text(encoding='utf-8'), re.M) if desktop.exists() else None
    if not exec_line:
        problems.append(f'data/{app_id}.desktop.in does not exist or has no Exec=')
    command = manifest.get('command')
    if exec_line and command != exec_line.group(1):
        problems.append(f'command {command} is not the desktop file\'s Exec={exec_line.group(1)}')
    if command not in installed_programs():
        problems.append(f'command {command} is no program that meson installs')
    helper = net_helper_name()
    if f'--system-talk-name={helper}' not in manifest.get('finish-args', []):
        problems.append(f'missing permission --system-talk-name={helper} (data/dev.vireo.Net1.service.in)')


def check_qemu(modules, problems):
    qemu = [m for m in modules if m.get('name') == 'qemu']
    if len(qemu) != 1:
        problems.append('no module named qemu')
        return
    opts = qemu[0].get('config-opts') or []
    for opt in QEMU_REQUIRED:
        if opt not in opts:
            problems.append(f'qemu: config-opts lack {opt}')
    for opt in QEMU_FORBIDDEN:
        if opt in opts:
            problems.append(f'qemu: config-opts have {opt}, which Vireo needs')
    # Vireo starts QEMU with -sandbox on, which QEMU without seccomp refuses
    if '"-sandbox"' in read_text('engine/qemu/vireo-qemu-argv.c') and '--enable-seccomp' not in opts:
        problems.append('qemu: config-opts lack --enable-seccomp (Vireo passes -sandbox)')


def check_app_module(modules, problems):
    app = modules[-1] if modules else {}
    sources = app.get('sources') or []
    if app.get('buildsystem') != 'meson' or [s.get('type') for s in sources if isinstance(s, dict)] != ['dir']:
        problems.append('the last module must build the local tree (one dir source) with meson')
    options = set(re.findall(r"option\('([^']+)'", read_text('meson_options.txt')))
    for opt in app.get('config-opts') or []:
        name = re.match(r'-D([^=]+)=', opt)
        if name and name.group(1) not in options:
            problems.append(f'{app.get("name")}: -D{name.group(1)} is not in meson_options.txt')


def check(manifest_path):
    """The list of problems of the manifest; empty when it is fine."""
    manifest_path = Path(manifest_path).resolve()
    try:
        manifest = load(manifest_path)
    except Unparsable as e:
        return [str(e)]
    problems = []
    modules = check_sources(manifest, manifest_path.parent, problems)
    check_permissions(manifest.get('finish-args') or [], problems)
    check_identity(manifest, problems)
    cleanup = manifest.get('cleanup') or []
    for entry in REQUIRED_CLEANUP:
        if entry not in cleanup:
            problems.append(f'cleanup lacks {entry}')
    check_qemu(modules, problems)
    check_app_module(modules, problems)
    return problems


# Each: what to break (old text, new text) and what the checker must say
# (a regular expression).
BREAKAGES = [
    ('an archive without sha256',
     '        sha256: c04ca36012653f32d11c674d370cf52a710e7d3f18c2d8b63e4932052a4854d6\n', '',
     'module qemu: archive source https://download.qemu.org/qemu-11.0.0.tar.xz: has no sha256'),
    ('a git source on a tag without commit',
     '      - type: archive\n        url: https://download.gnome.org/sources/gtk-vnc/1.5/gtk-vnc-1.5.0.tar.xz\n'
     '        # sha256 from flathub/org.virt_manager.virt-manager at 021506e,\n'
     '        # org.virt_manager.virt-manager.yaml (module gtk-vnc)\n'
     '        sha256: c0beb4747528ad931da43acc567c6a0190f7fc624465571ed9ccece02c34dd23\n',
     '      - type: git\n        url: https://gitlab.gnome.org/GNOME/gtk-vnc.git\n        tag: v1.5.0\n',
     'needs both a tag and a 40-digit commit'),
    ('a misspelt sha256',
     # flatpak-builder warns of the unknown key; python3-yaml finds no sha256
     'sha256: fa811076bad7', 'sha265: fa811076bad7', 'sha265|module fast_float: .*has no sha256'),
    ('a source without x-checker-data',
     '        x-checker-data:\n          type: gnome\n', '        x-checker-off:\n          type: gnome\n',
     'module vte: archive source https://download.gnome.org/sources/vte/0.82/vte-0.82.3.tar.xz: '
     'has no x-checker-data'),
    ('--filesystem=host', '  - --device=kvm\n', '  - --device=kvm\n  - --filesystem=host\n',
     'forbidden permission --filesystem=host'),
    ('--filesystem=home:ro', '  - --device=kvm\n', '  - --device=kvm\n  - --filesystem=home:ro\n',
     'forbidden permission --filesystem=home:ro'),
    ('flatpak-spawn --host', '  - --device=kvm\n',
     '  - --device=kvm\n  - --talk-name=org.freedesktop.Flatpak\n',
     'forbidden permission --talk-name=org.freedesktop.Flatpak'),
    ('x11 beside fallback-x11', '  - --socket=wayland\n', '  - --socket=wayland\n  - --socket=x11\n',
     '--socket=x11 together with --socket=fallback-x11'),
    ('--device=all instead of kvm', '  - --device=kvm\n', '  - --device=all\n',
     'missing permission --device=kvm'),
    ('no system bus name for vireo-net', '  - --system-talk-name=dev.vireo.Net1\n', '',
     'missing permission --system-talk-name=dev.vireo.Net1'),
    ('another app id', 'app-id: dev.vireo.Vireo\n', 'app-id: dev.vireo.Other\n',
     'app id dev.vireo.Other is not the id'),
    ('another command', 'command: vireo\n', 'command: vireo-gtk\n', 'command vireo-gtk is'),
    ('cleanup keeps libtool archives', "  - '*.la'\n", '', r'cleanup lacks \*\.la'),
    ('QEMU for every target', '      - --target-list=x86_64-softmmu\n', '',
     'qemu: config-opts lack --target-list=x86_64-softmmu'),
    ('QEMU with user-mode emulators', '      - --disable-user\n', '', 'qemu: config-opts lack --disable-user'),
    ('QEMU without slirp', '      - --enable-slirp\n', '      - --disable-slirp\n',
     'qemu: config-opts lack --enable-slirp'),
    ('QEMU without seccomp', '      - --enable-seccomp\n', '', 'lack --enable-seccomp'),
    ('the app from somewhere else', '        path: ..\n', '        path: ../..\n',
     "a dir source must be the app's own tree"),
    ('an option meson does not know', '      - -Dtests=false\n', '      - -Dtest=false\n',
     '-Dtest is not in meson_options.txt'),
]


def self_test(manifest_path):
    """Each breakage, in a copy of the manifest at TMP/flatpak/, must be
    rejected with its own message; the unbroken copy must pass, so the
    copying itself breaks nothing."""
    text = Path(manifest_path).read_text(encoding='utf-8')
    failures = []
    with tempfile.TemporaryDirectory(prefix='vireo-flatpak-') as tmp:
        copy = Path(tmp) / 'flatpak' / Path(manifest_path).name
        copy.parent.mkdir()
        copy.write_text(text, encoding='utf-8')
        problems = check(copy)
        if problems:
            failures.append(f'the unbroken copy is rejected: {problems}')
        for what, old, new, expected in BREAKAGES:
            if text.count(old) != 1:
                failures.append(f'{what}: the manifest no longer has {old!r} once to break')
                continue
            copy.write_text(text.replace(old, new), encoding='utf-8')
            problems = check(copy)
            if not any(re.search(expected, p) for p in problems):
                failures.append(f'{what}: not rejected as "{expected}"; said {problems}')
            else:
                print(f'rejects {what}')
    return failures


def main(argv):
    testing = '--self-test' in argv
    args = [a for a in argv[1:] if a != '--self-test']
    if len(args) != 1:
        print(__doc__.split('\n\n')[0], file=sys.stderr)
        return 2
    if not can_load():
        print('SKIP: neither flatpak-builder nor python3-yaml is installed')
        return SKIP
    print(f"parsed by {builder() or 'python3-yaml'}")
    problems = check(args[0])
    for p in problems:
        print(f'FAIL: {args[0]}: {p}', file=sys.stderr)
    if testing:
        for f in self_test(args[0]):
            print(f'FAIL: self-test: {f}', file=sys.stderr)
            problems.append(f)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
