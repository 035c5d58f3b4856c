"""The local certificate authority that interception presents: made once, kept in the data directory.

The CA's key never leaves ``<data dir>/ca/`` (0700, the key 0600). Each start issues a fresh leaf
certificate for Graph's hosts signed by it, with the extensions strict verifiers ask for (RFC 5280:
basic constraints, key usage, subject and authority key identifiers; subjectAltName per RFC 6125).
Certificates are dated by the system clock, never the sandbox clock: clients check them against
their own real time.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from adgate.clock import SystemClock

#: The hosts interception answers for; every other host is refused by the proxy.
HOSTS = (
    "graph.facebook.com",
    "graph-video.facebook.com",
    "www.facebook.com",
    "facebook.com",
    "m.facebook.com",
)

CA_DAYS = 3650
LEAF_DAYS = 397  # the longest validity browsers accept for a server certificate


@dataclass(frozen=True)
class LocalCA:
    cert_path: Path
    key_path: Path

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_path.read_bytes())


def _now() -> datetime.datetime:
    return datetime.datetime.fromtimestamp(SystemClock().now(), tz=datetime.UTC)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    """Signatures (an EC key: ECDHE signs the handshake), and certificates and CRLs for the CA."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def ca_dir(data_dir: Path) -> Path:
    path = data_dir / "ca"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def ensure_ca(data_dir: Path) -> LocalCA:
    """The data directory's CA, generated on first use and kept for every later start."""
    where = ca_dir(data_dir)
    ca = LocalCA(where / "ca.pem", where / "ca-key.pem")
    if ca.cert_path.is_file() and ca.key_path.is_file():
        return ca
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "adgate sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"adgate local CA ({where.resolve()})"[:64]),
        ]
    )
    now = _now()
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(ca.key_path, _pem_key(key))
    ca.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return ca


def issue_leaf(ca: LocalCA, hosts: tuple[str, ...] = HOSTS) -> tuple[Path, Path]:
    """A fresh server certificate for ``hosts`` signed by ``ca``: (chain path, key path), key 0600."""
    ca_cert = ca.certificate()
    ca_key = serialization.load_pem_private_key(ca.key_path.read_bytes(), password=None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=LEAF_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    where = ca.cert_path.parent
    chain, key_path = where / "leaf.pem", where / "leaf-key.pem"
    _write_private(key_path, _pem_key(key))
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + ca.cert_path.read_bytes())
    return chain, key_path
