"""``qimaturity serve`` and ``qimaturity manage``: the site on this machine, from a data folder.

:func:`serve` sets up the data folder on first run (the folder itself, readable by its owner alone; a secret key; a
self-signed TLS certificate for localhost, unless one is given), brings the database up to date, and runs two child
processes until it is stopped: the web server (granian, over HTTPS) and the task worker (django-tasks' database
worker, for slow work such as PDF reports). Ctrl-C or SIGTERM stops both and returns 0; a child that stops by
itself stops the other and returns 1. :func:`manage` runs Django's management commands with the same settings.

Bad input (a data folder that cannot be used, a certificate without its key, a port in use) raises
:class:`~qimaturity._core.problems.OptionError`, which the command line reports as exit code 2. Django is imported
only here, inside the functions that need it, once ``QIMATURITY_DATA`` names the data folder: its settings read the
environment when they are first imported.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import ipaddress
import os
import secrets
import select
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from qimaturity._core.problems import OptionError

SETTINGS = "qimaturity.web.settings"
SECRET_KEY = "secret_key"
CERTIFICATE = "certificate.pem"
CERTIFICATE_KEY = "certificate-key.pem"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
"""The example answers files of the source checkout, whose organisations ``--examples`` loads."""
EXAMPLES_WORKSPACE = "examples"
CERTIFICATE_DAYS = 365
READY_SECONDS = 60.0
"""How long the web server may take to listen before ``serve`` gives up on it."""
STOP_SECONDS = 20.0
"""How long a child may take to stop after SIGTERM before it is killed."""

Say = Callable[[str], None]


@dataclass(frozen=True)
class Tls:
    certificate: Path
    key: Path
    fingerprint: str | None
    """The SHA-256 fingerprint of a self-signed certificate (``AB:CD:...``), to compare with the browser's; None
    for a certificate signed by an authority."""
    made: bool = False


@dataclass(frozen=True)
class Options:
    data: Path
    host: str = "127.0.0.1"
    port: int = 8000
    certificate: Path | None = None
    key: Path | None = None
    workers: int = 1
    examples: bool = False


# ---- the data folder -------------------------------------------------------------------------------------------


def prepare_data(data: Path, say: Say) -> Path:
    """The data folder, absolute, created readable by its owner alone (0700) if missing, holding a secret key (a
    file readable by its owner alone, 0600). An existing folder or key that others can read is kept, with a
    warning."""
    data = data.expanduser().absolute()
    if data.exists() and not data.is_dir():
        raise OptionError(f"{data} is not a folder", "--data")
    if not data.exists():
        try:
            data.mkdir(parents=True, mode=0o700)
            data.chmod(0o700)
        except OSError as error:
            raise OptionError(f"cannot create the data folder {data}: {error.strerror}", "--data") from None
        say(f"Created the data folder {data}")
    if not os.access(data, os.R_OK | os.W_OK | os.X_OK):
        raise OptionError(f"the data folder {data} cannot be read and written by this user", "--data")
    if data.stat().st_mode & 0o077:
        say(f"warning: others can open the data folder {data}: `chmod 700 {shlex.quote(str(data))}` closes it")
    _secret_key(data, say)
    return data


def _secret_key(data: Path, say: Say) -> None:
    path = data / SECRET_KEY
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _check_secret_key(path, say)
        return
    except OSError as error:
        raise OptionError(f"cannot write the secret key {path}: {error.strerror}", "--data") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(50) + "\n")
    say(f"Created a secret key in {path}")


def _check_secret_key(path: Path, say: Say) -> None:
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise OptionError(f"cannot read the secret key {path}: {error}", "--data") from None
    if len(key) < 50:
        raise OptionError(f"the secret key {path} is too short (delete it to have a new one made)", "--data")
    if path.stat().st_mode & 0o077:
        say(f"warning: others can read the secret key {path}: `chmod 600 {shlex.quote(str(path))}`")


# ---- the TLS certificate ---------------------------------------------------------------------------------------


def fingerprint(certificate_pem: bytes) -> str:
    """The SHA-256 fingerprint of a PEM certificate, as browsers show it (``AB:CD:...``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    digest = x509.load_pem_x509_certificate(certificate_pem).fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def check_pair(certificate: Path | None, key: Path | None) -> None:
    if (certificate is None) != (key is None):
        given, missing = ("--certificate", "--key") if key is None else ("--key", "--certificate")
        raise OptionError(f"{given} needs {missing}: give the certificate and its private key together")


def _given(certificate: Path, key: Path) -> Tls:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificate_pem = certificate.read_bytes()
        parsed = x509.load_pem_x509_certificate(certificate_pem)
    except (OSError, ValueError) as error:
        raise OptionError(f"{certificate} is not a readable PEM certificate ({error})", "--certificate") from None
    try:
        key_pem = key.read_bytes()
    except OSError as error:
        raise OptionError(f"cannot read {key}: {error.strerror}", "--key") from None
    if b"-----BEGIN PRIVATE KEY-----" not in key_pem:
        raise OptionError(
            f"{key} is not an unencrypted PKCS#8 private key, the only kind the web server reads (convert it: "
            f"openssl pkcs8 -topk8 -nocrypt -in {shlex.quote(str(key))} -out key-pkcs8.pem)",
            "--key",
        )
    try:
        private = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as error:
        raise OptionError(f"{key} is not a readable private key ({error})", "--key") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    pem = serialization.Encoding.PEM
    if private.public_key().public_bytes(pem, public) != parsed.public_key().public_bytes(pem, public):
        raise OptionError(f"{key} is not the private key of {certificate}", "--key")
    self_signed = parsed.issuer == parsed.subject
    return Tls(certificate.absolute(), key.absolute(), fingerprint(certificate_pem) if self_signed else None)


def _self_signed(data: Path, say: Say) -> Tls:
    from cryptography import x509

    certificate, key = data / CERTIFICATE, data / CERTIFICATE_KEY
    if certificate.is_file() and key.is_file():
        try:
            pem = certificate.read_bytes()
            expires = x509.load_pem_x509_certificate(pem).not_valid_after_utc
        except (OSError, ValueError):
            say(f"The certificate {certificate} cannot be read: making a new one")
        else:
            if expires - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=1):
                return Tls(certificate, key, fingerprint(pem))
            say(f"The certificate {certificate} expires on {expires:%Y-%m-%d}: making a new one")
    pem = _make_certificate(certificate, key)
    say(f"Created a self-signed certificate for localhost, 127.0.0.1 and ::1 in {certificate}")
    return Tls(certificate, key, fingerprint(pem), made=True)


def _make_certificate(certificate: Path, key: Path) -> bytes:
    """A self-signed certificate for localhost, 127.0.0.1 and ::1 (ECDSA P-256, valid for a year), and its key in
    PKCS#8 (the web server reads no other kind), readable by the owner alone. Returns the certificate's PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "qimaturity serve (self-signed)"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CERTIFICATE_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")),
                    x509.IPAddress(ipaddress.IPv6Address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private.public_key()), critical=False)
        .sign(private, hashes.SHA256())
    )
    key_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    certificate_pem = built.public_bytes(serialization.Encoding.PEM)
    _write_private(key, key_pem, 0o600)
    _write_private(certificate, certificate_pem, 0o644)
    return certificate_pem


def _write_private(path: Path, content: bytes, mode: int) -> None:
    """Write ``path`` whole or not at all, created with ``mode`` (never readable by others on the way)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode & 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ---- the address -----------------------------------------------------------------------------------------------


def check_port(host: str, port: int) -> None:
    """Raise OptionError when the web server could not listen on ``host``:``port`` (a port in use, an address
    that is not this machine's), before anything is started."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise OptionError(f"cannot listen on {host}: {error.strerror}", "--host") from None
    family, kind, protocol, _, address = found[0]
    with socket.socket(family, kind, protocol) as probe:
        # As a server binds: a port whose last connections are closing (TIME_WAIT) is free; one listened on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise OptionError(
                    f"port {port} on {host} is already in use (by another server, or a `qimaturity serve` still "
                    "running): stop it, or give another --port"
                ) from None
            if error.errno == errno.EACCES:
                raise OptionError(
                    f"port {port} needs privileges this user does not have: give a port from 1024 up", "--port"
                ) from None
            raise OptionError(f"cannot listen on {host} port {port}: {error.strerror}", "--host") from None


def address(host: str, port: int) -> str:
    """The site's HTTPS address: a host that means every address of the machine is shown as localhost."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return f"https://{host}:{port}/"
    if ip.is_unspecified:
        return f"https://localhost:{port}/"
    return f"https://[{ip}]:{port}/" if ip.version == 6 else f"https://{ip}:{port}/"


# ---- Django ----------------------------------------------------------------------------------------------------


def use_settings(data: Path) -> None:
    """Point Django at the site's settings and data folder, before its settings are first read."""
    os.environ["QIMATURITY_DATA"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise OptionError(str(error), "--data") from None


def migrate() -> None:
    """Bring the database up to date (creating it on first run)."""
    from django.core.management import call_command
    from django.db import DatabaseError

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as error:
        raise OptionError(f"cannot bring the database up to date: {error}") from None


@dataclass(frozen=True)
class ExampleOrganisation:
    code: str
    name: str
    type: str
    region: str


def example_organisations(examples: Path = EXAMPLES) -> list[ExampleOrganisation]:
    """The organisations of the example answers files (``examples/answers`` and ``examples/cohort``), each once,
    read by the answers loader; in order of their files."""
    from qimaturity import load_assessment, load_rubric

    files = sorted((examples / "answers").glob("*.yaml")) + sorted((examples / "cohort").glob("*.yaml"))
    if not files:
        raise OptionError(
            f"no example answers files in {examples}: the examples come with the source checkout", "--examples"
        )
    rubric = load_rubric("qi-readiness")  # the rubric every example is written on
    found: dict[str, ExampleOrganisation] = {}
    for path in files:
        organisation = load_assessment(path, rubric).organisation
        found.setdefault(
            organisation.id,
            ExampleOrganisation(organisation.id, organisation.name, organisation.type or "", organisation.region or ""),
        )
    return list(found.values())


def load_examples(examples: Path = EXAMPLES) -> tuple[int, int]:
    """Put the example organisations in the workspace ``examples`` ("Example organisations"), creating what is
    missing and changing nothing that exists. Returns (organisations created, organisations in the workspace)."""
    from django.db import transaction

    from qimaturity.web.organisations.models import Organisation, Workspace

    organisations = example_organisations(examples)
    created = 0
    with transaction.atomic():
        workspace, _ = Workspace.objects.get_or_create(
            slug=EXAMPLES_WORKSPACE,
            defaults={"name": "Example organisations (invented)", "kind": Workspace.Kind.REGULATOR},
        )
        kept = []
        for example in organisations:
            organisation, new = Organisation.objects.get_or_create(
                code=example.code, defaults={"name": example.name, "type": example.type, "region": example.region}
            )
            created += new
            kept.append(organisation)
        workspace.organisations.add(*kept)
    return created, len(organisations)


def manage(data: Path, arguments: Sequence[str]) -> None:
    """Run one of Django's management commands (``createsuperuser``, ``check --deploy``...) on the site whose data
    folder is ``data``."""
    data = data.expanduser().absolute()
    if not os.environ.get("QIMATURITY_SECRET_KEY") and not (data / SECRET_KEY).is_file():
        raise OptionError(
            f"no site in {data} (no secret key there): start it once with "
            f"`qimaturity serve --data {shlex.quote(str(data))}`",
            "--data",
        )
    use_settings(data)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qimaturity manage", *arguments])


# ---- the two children ------------------------------------------------------------------------------------------


def _dies_with(parent: int) -> Callable[[], None]:
    """What a child runs between fork and exec: on Linux, to be sent SIGTERM when ``serve`` (``parent``) dies
    without stopping it (killed); and to end at once if it died already."""

    def arrange() -> None:  # pragma: no cover - runs in the child
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)

    return arrange


def _environment(data: Path, host: str) -> dict[str, str]:
    """The children's environment: the site's settings and data folder; a host of its own (``--host
    192.168.1.20``) among the host names the site answers to, unless QIMATURITY_ALLOWED_HOSTS says which."""
    env = {**os.environ, "QIMATURITY_DATA": str(data), "DJANGO_SETTINGS_MODULE": SETTINGS}
    if "QIMATURITY_ALLOWED_HOSTS" not in env and host not in ("127.0.0.1", "localhost", "0.0.0.0", "::"):
        name = f"[{host}]" if ":" in host else host  # an IPv6 address, as a Host header carries it
        env["QIMATURITY_ALLOWED_HOSTS"] = f"127.0.0.1,localhost,{name}"
    return env


def commands(options: Options, certificate: Tls) -> dict[str, list[str]]:
    """The children's command lines, by the name ``serve`` gives them in messages."""
    web = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        options.host,
        "--port",
        str(options.port),
        "--workers",
        str(options.workers),
        # Python threads for requests, per worker: as many as granian deems sensible for the processors (more
        # only wait for the database's lock); the requests beyond them wait in line.
        "--blocking-threads",
        str(2 * (os.cpu_count() or 1) + 1),
        "--no-ws",
        "--ssl-certificate",
        str(certificate.certificate),
        "--ssl-keyfile",
        str(certificate.key),
        "qimaturity.web.wsgi:application",
    ]
    worker = [sys.executable, "-m", "django", "db_worker", "--verbosity", "1"]
    return {"web server": web, "task worker": worker}


def _how(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each child still running, then wait for each and for what it started (its process group);
    SIGKILL for what is left after :data:`STOP_SECONDS`."""
    for child in children.values():
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children.values():
        try:
            child.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        # The web server's own workers are in its process group: none may outlive it.
        while _group_alive(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_alive(child.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)


def _listening(host: str, port: int) -> bool:
    connect_to = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    try:
        with socket.create_connection((connect_to, port), timeout=0.5):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def _signals() -> Iterator[tuple[list[int], int]]:
    """While inside: SIGINT, SIGTERM and SIGHUP are recorded (not acted on) in the list, and they and SIGCHLD wake
    a ``select`` on the descriptor."""
    received: list[int] = []
    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    os.set_blocking(writer, False)

    def record(signum: int, frame: object) -> None:
        received.append(signum)

    wanted = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = {signum: signal.signal(signum, record) for signum in wanted}
    before[signal.SIGCHLD] = signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    wakeup = signal.set_wakeup_fd(writer)
    try:
        yield received, reader
    finally:
        signal.set_wakeup_fd(wakeup)
        for signum, handler in before.items():
            signal.signal(signum, handler)
        os.close(reader)
        os.close(writer)


def _wait(reader: int, seconds: float) -> None:
    ready, _, _ = select.select([reader], [], [], seconds)
    if ready:
        with contextlib.suppress(BlockingIOError):
            os.read(reader, 512)


def serve(options: Options, say: Say, show: Say) -> int:
    """Set up the site in ``options.data`` and run it until stopped; the exit code. ``say`` takes messages,
    ``show`` the site's address (a line of data, for scripts)."""
    if os.name != "posix":
        raise OptionError("qimaturity serve runs on Linux and macOS (it manages its processes with POSIX signals)")
    check_pair(options.certificate, options.key)
    given = None if options.certificate is None or options.key is None else _given(options.certificate, options.key)
    if options.examples and not EXAMPLES.is_dir():
        raise OptionError(f"no examples folder {EXAMPLES}: the examples come with the source checkout", "--examples")
    check_port(options.host, options.port)
    # Everything serve and its children write (the database, its journal, uploads, reports) is the owner's alone.
    os.umask(0o077)
    data = prepare_data(options.data, say)
    certificate = given or _self_signed(data, say)
    use_settings(data)
    migrate()
    if options.examples:
        created, total = load_examples()
        say(f"Example organisations: {total} in the workspace 'Example organisations (invented)' ({created} new)")
    from django.db import connections

    connections.close_all()

    env = _environment(data, options.host)
    children: dict[str, subprocess.Popen[bytes]] = {}
    with _signals() as (received, wakeup):
        try:
            for name, command in commands(options, certificate).items():
                # Each child in a process group of its own: a Ctrl-C reaches serve alone, which stops each child
                # once, and the web server's workers can be found (and stopped) by their group.
                children[name] = subprocess.Popen(
                    command,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=2,  # their messages on stderr: stdout holds the address alone
                    process_group=0,
                    preexec_fn=_dies_with(os.getpid()),
                )
            return _supervise(options, data, certificate, children, received, wakeup, say, show)
        finally:
            _stop(children)


def _supervise(
    options: Options,
    data: Path,
    certificate: Tls,
    children: dict[str, subprocess.Popen[bytes]],
    received: list[int],
    wakeup: int,
    say: Say,
    show: Say,
) -> int:
    ready = False
    started = time.monotonic()
    while not received:
        for name, child in children.items():
            code = child.poll()
            if code is not None:
                others = " and ".join(other for other in children if other != name)
                say(f"qimaturity serve: the {name} stopped ({_how(code)}): stopping the {others}")
                return 1
        if not ready:
            if _listening(options.host, options.port):
                ready = True
                _ready(options, data, certificate, say, show)
            elif time.monotonic() - started > READY_SECONDS:
                say(
                    f"qimaturity serve: the web server did not listen on port {options.port} within "
                    f"{READY_SECONDS:.0f} s: stopping"
                )
                return 1
        _wait(wakeup, 1.0 if ready else 0.1)
    say(f"qimaturity serve: {signal.Signals(received[0]).name} received: stopping")
    return 0


def _ready(options: Options, data: Path, certificate: Tls, say: Say, show: Say) -> None:
    site = address(options.host, options.port)
    folder = shlex.quote(str(data))
    show(site)
    say(f"qimaturity serves {site} (HTTPS only)")
    kept = "database, secret key" + (", certificate" if certificate.certificate.parent == data else "")
    say(f"  Data folder: {data} ({kept})")
    if certificate.fingerprint is not None:
        say(f"  Certificate: {certificate.certificate}, self-signed: your browser will warn until you trust it.")
        say(f"  Its SHA-256 fingerprint, to compare with the browser's: {certificate.fingerprint}")
    else:
        say(f"  Certificate: {certificate.certificate}")
    say(f"  First admin: qimaturity manage createsuperuser --data {folder}")
    say("  Stop with Ctrl-C.")
