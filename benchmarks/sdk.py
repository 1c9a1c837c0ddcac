"""Benchmarks for the generated Stytch SDK and for `lapgen generate`.

Prints medians measured side by side in one run (the machines are noisy):
- `import stytch_api` + constructing a Client, in fresh interpreters;
- call overhead over httpx.MockTransport versus a raw httpx `get().json()` on the same
  transport, for `users.get` (2.2 KB response) and a B2B member response (8.7 KB);
- `lapgen generate` end to end (cold: empty format cache; warm: cache filled);
- generated lines and model class counts.

Run: python benchmarks/sdk.py [--runs N] [--skip-generate] [--no-venv] [--quick] [--package DIR]
(``--package``: time another generated copy of the SDK, e.g. one extracted from another branch.)
(``--quick``: one run of each, no clean venv, `generate` on a small fixture; a few seconds.
tests/test_benchmarks.py runs it so the benchmark cannot rot. Its figures mean nothing.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "generated" / "stytch_api"
STYTCH = ROOT / "spec" / "stytch.lap"
# --quick generates this small fixture (its committed output is the in-place starting point).
QUICK_SPEC = ROOT / "tests" / "fixtures" / "corners.lap"
QUICK_PREVIOUS = ROOT / "tests" / "fixtures" / "golden" / "corners"


def _user(index: int) -> dict[str, object]:
    return {
        "email_id": f"email-test-{index:04d}-aaaa-bbbb-cccc-0123456789ab",
        "email": f"ada.lovelace+{index}@example.com",
        "verified": True,
    }


def user_response() -> dict[str, object]:
    """A realistic users.get body of about 2.2 KB, with every field the spec declares."""
    return {
        "request_id": "request-id-test-55555555-5555-4555-8555-555555555555",
        "user_id": "user-test-16d9ba61-97a1-4ba4-9720-b03761dc50c6",
        "name": {"first_name": "Ada", "middle_name": "", "last_name": "Lovelace"},
        "emails": [_user(i) for i in range(4)],
        "phone_numbers": [
            {
                "phone_id": f"phone-number-test-{i}-d5a3-47b3-8a8b-3d6b1c2f0a4e",
                "phone_number": f"+1202555{i:04d}",
                "verified": True,
            }
            for i in range(3)
        ],
        "providers": [
            {
                "provider_type": "Google",
                "provider_subject": "10769150350006150715113082367",
                "profile_picture_url": "https://example.com/avatar.png",
                "locale": "en",
                "oauth_user_registration_id": "oauth-user-test-de86770c-911d-463f-80e7-f2ec7a4b5b2a",
            }
        ],
        "webauthn_registrations": [],
        "totps": [{"totp_id": "totp-test-41920359-8bbb-4fe8-8fa3-aaa83f35f02c", "verified": True}],
        "crypto_wallets": [],
        "biometric_registrations": [],
        "password": {
            "password_id": "password-test-e3d4a6ba-aa8d-4ab6-8a8c-0d5c5bfc7a29",
            "requires_reset": False,
        },
        "trusted_metadata": {"billing_address": {"city": "London", "postal_code": "EC1A"}},
        "untrusted_metadata": {"display_theme": "DARK_MODE", "tour_done": True},
        "external_id": "ada-0001",
        "status": "active",
        "is_locked": False,
        "roles": ["stytch_user", "admin", "billing"],
        "created_at": "2021-12-29T21:39:14Z",
        # The spec types these as strings (not nullable), so the checked client wants strings.
        "lock_created_at": "",
        "lock_expires_at": "",
        "status_code": 200,
        "extra_field_added_later": {"a": [1, 2, 3], "b": "c" * 200},
    }


def member_response() -> dict[str, object]:
    """A B2B member body of about 8.7 KB, with every field the spec declares."""
    member = {
        "organization_id": "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931",
        "member_id": "member-test-32fc5024-9c09-4da3-bd2e-c9ce4da9375f",
        "email_address": "ada@example.com",
        "status": "active",
        "name": "Ada Lovelace",
        "sso_registrations": [
            {
                "connection_id": f"saml-connection-test-{i}",
                "external_id": f"ext-{i}",
                "registration_id": f"reg-{i}",
                "sso_attributes": {"groups": ["a", "b"]},
            }
            for i in range(6)
        ],
        "trusted_metadata": {"department": "engineering", "level": 7, "tags": ["x"] * 20},
        "untrusted_metadata": {"theme": "dark", "notes": "n" * 600},
        "roles": [
            {"role_id": f"role-{i}", "sources": [{"type": "direct_assignment", "details": {}}]}
            for i in range(8)
        ],
        "mfa_enrolled": True,
        "mfa_phone_number": "+12025550162",
        "default_mfa_method": "sms_otp",
        "is_breakglass": False,
        "member_password_id": "member-password-test-1",
        "oauth_registrations": [
            {
                "provider_type": "Google",
                "provider_subject": f"{i:030d}",
                "member_oauth_registration_id": f"oauth-reg-{i}",
                "profile_picture_url": "https://example.com/p.png",
                "locale": "en",
            }
            for i in range(8)
        ],
        "email_address_verified": True,
        "is_admin": True,
        "totp_registration_id": "",
        "retired_email_addresses": [
            {"email_id": f"e{i}", "email_address": f"old{i}@example.com"} for i in range(6)
        ],
        "created_at": "2023-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "mfa_phone_number_verified": True,
        "is_locked": False,
        "scim_registration": {
            "connection_id": "scim-connection-test-1",
            "registration_id": "scim-registration-test-1",
            "external_id": "ext-scim-1",
            "scim_attributes": {
                **dict.fromkeys(
                    ["user_name", "id", "external_id", "display_name", "nick_name"], "ada"
                ),
                **dict.fromkeys(["profile_url", "user_type", "title"], ""),
                "preferred_language": "en",
                "locale": "en-GB",
                "timezone": "Europe/London",
                "active": True,
                "groups": [{"value": "g1", "display": "Engineering"}],
                "emails": [{"value": "ada@example.com", "primary": True}],
                **dict.fromkeys(
                    ["phone_numbers", "addresses", "ims", "photos", "entitlements", "roles"], []
                ),
                "x509certificates": [],
                "name": {"given_name": "Ada", "family_name": "Lovelace"},
                "enterprise_extension": {"department": "engineering"},
            },
        },
        "external_id": "member-ext-1",
        "lock_created_at": "",
        "lock_expires_at": "",
    }
    organization_settings = {
        "sso_jit_provisioning": "RESTRICTED",
        "sso_jit_provisioning_allowed_connections": ["c0", "c1"],
        "email_jit_provisioning": "RESTRICTED",
        "email_invites": "ALL_ALLOWED",
        "auth_methods": "RESTRICTED",
        "allowed_auth_methods": ["sso", "magic_link", "password"],
        "mfa_policy": "OPTIONAL",
        "rbac_email_implicit_role_assignments": [{"domain": "example.com", "role_id": "r1"}],
        "mfa_methods": "ALL_ALLOWED",
        "allowed_mfa_methods": ["sms_otp", "totp"],
        "oauth_tenant_jit_provisioning": "NOT_ALLOWED",
        "claimed_email_domains": ["example.com"],
        "first_party_connected_apps_allowed_type": "ALL_ALLOWED",
        "allowed_first_party_connected_apps": [],
        "third_party_connected_apps_allowed_type": "ALL_ALLOWED",
        "allowed_third_party_connected_apps": [],
        "custom_roles": [{"role_id": "r1", "description": "Reader", "permissions": []}],
        "created_at": "2022-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "organization_external_id": "org-ext-1",
        "sso_default_connection_id": "c0",
        "scim_active_connection": {
            "connection_id": "scim-connection-test-1",
            "display_name": "Okta SCIM",
            "bearer_token_last_four": "abcd",
            "bearer_token_expires_at": "2030-01-01T00:00:00Z",
        },
        "allowed_oauth_tenants": {"slack": ["T0123"]},
    }
    return {
        "request_id": "request-id-test-55555555-5555-4555-8555-555555555555",
        "member_id": member["member_id"],
        "member": member,
        "organization": {
            "organization_id": member["organization_id"],
            "organization_name": "Example Org",
            "organization_slug": "example-org",
            "organization_logo_url": "https://example.com/logo.png",
            "trusted_metadata": {"plan": "enterprise", "seats": 500, "notes": "t" * 900},
            "email_allowed_domains": ["example.com", "example.org"],
            "sso_active_connections": [
                {"connection_id": f"c{i}", "display_name": f"SSO {i}"} for i in range(10)
            ],
            **organization_settings,
        },
        "status_code": 200,
    }


def _median_call(fn: Callable[[], object], runs: int, inner: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def call_overhead(runs: int, inner: int = 200) -> None:
    import httpx

    sys.path.insert(0, str(PACKAGE_DIR))
    import stytch_api

    for label, body, call in (
        ("users.get (%.1f KB)", user_response(), lambda c: c.users.get("user-test-1")),
        (
            "b2b member get (%.1f KB)",
            member_response(),
            lambda c: c.b2b.organizations.members.get("organization-test-1", member_id="m1"),
        ),
    ):
        payload = json.dumps(body).encode()
        headers = {"content-type": "application/json"}

        def handler(
            request: httpx.Request, payload: bytes = payload, headers: dict[str, str] = headers
        ) -> httpx.Response:
            return httpx.Response(200, content=payload, headers=headers)

        raw = httpx.Client(
            transport=httpx.MockTransport(handler), base_url="https://test.stytch.com"
        )
        client = stytch_api.Client(
            project_id="project-test-1",
            secret="secret-test-1",
            http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        )
        call(client)  # warm up lazy imports
        raw_times, sdk_times = [], []
        for _ in range(runs):  # interleaved so noise hits both alike
            raw_times.append(_median_call(lambda raw=raw: raw.get("/v1/users/u").json(), 1, inner))
            sdk_times.append(_median_call(lambda c=client, f=call: f(c), 1, inner))
        raw_median, sdk_median = statistics.median(raw_times), statistics.median(sdk_times)
        name = label % (len(payload) / 1024)
        print(
            f"{name}: raw httpx {raw_median * 1e6:.1f} us, SDK {sdk_median * 1e6:.1f} us, "
            f"ratio {sdk_median / raw_median:.3f}"
        )


def import_time(runs: int, venv: Path | None) -> None:
    """Fresh interpreters; in a venv holding only the SDK's dependencies when one is given.

    This environment has click and rich (black's dependencies), which httpx imports for its
    command line when they are installed; a service's venv usually does not.
    """
    code = (
        "import time; t = time.perf_counter(); import stytch_api; "
        "stytch_api.Client(project_id='project-test-1', secret='s'); "
        "print(time.perf_counter() - t)"
    )
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_DIR)}
    for label, python in (
        ("this environment", sys.executable),
        ("clean venv (httpx, attrs)", venv and str(venv / "bin" / "python")),
    ):
        if python is None:
            continue
        # One untimed run first, so .pyc compilation of a new venv is not counted.
        subprocess.run([python, "-c", code], env=env, check=True, capture_output=True)
        samples = [
            float(
                subprocess.run(
                    [python, "-c", code], env=env, check=True, capture_output=True, text=True
                ).stdout
            )
            for _ in range(runs)
        ]
        print(
            f"import stytch_api + Client() [{label}]: median "
            f"{statistics.median(samples) * 1000:.1f} ms"
        )


def clean_venv(directory: Path) -> Path | None:
    """A venv with just the generated package's dependencies, or None if pip cannot get them."""
    venv = directory / "venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        installed = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "httpx>=0.27,<1",
                "attrs>=23.2",
            ],
            capture_output=True,
        )
        if installed.returncode != 0:
            return None
    return venv


def generate_time(runs: int, spec: Path = STYTCH, previous: Path = PACKAGE_DIR) -> None:
    """`lapgen generate` of ``spec`` in a fresh interpreter, in the three situations users meet.

    ``previous`` is a committed output of ``spec``, the starting point of the in-place run.

    - cold: empty black chunk cache, empty output directory (a first generation);
    - in place: empty cache, previous output present (CI regenerating a committed SDK after
      a spec change; unchanged chunks come from the output's manifest);
    - warm cache: chunks cached in LAPGEN_CACHE_DIR, empty output directory.
    """
    import shutil

    def run(out: Path, cache: Path) -> float:
        env = {**os.environ, "LAPGEN_CACHE_DIR": str(cache)}
        command = [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(spec),
            "-o",
            str(out),
        ]
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        cold, in_place, warm = [], [], []
        for index in range(runs):
            cache = base / f"cache-{index}"
            cold.append(run(base / f"cold-{index}", cache))
            in_place_out = base / f"in-place-{index}"
            shutil.copytree(previous, in_place_out)
            in_place.append(run(in_place_out, base / f"empty-cache-{index}"))
            warm.append(run(base / f"warm-{index}", cache))
        for label, samples in (
            ("cold", cold),
            ("in place, empty cache", in_place),
            ("warm cache, new directory", warm),
        ):
            print(
                f"lapgen generate {spec.stem} ({label}): median "
                f"{statistics.median(samples):.2f} s"
            )


def sizes() -> None:
    from generator.pipeline import load
    from generator.plan import model_counts

    files = list((PACKAGE_DIR / "stytch_api").rglob("*.py"))
    lines = sum(path.read_text().count("\n") for path in files)
    built = load(STYTCH).plan  # with spec/stytch.toml, as `lapgen generate` plans it
    counts = model_counts(built)
    longest = max(len(model.name) for model in built.models)
    print(f"generated Python lines: {lines} in {len(files)} files")
    print(
        f"model classes: {counts['nested']} nested, {counts['response']} responses; "
        f"longest class name {longest} chars"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--no-venv", action="store_true", help="skip the clean-venv import timing")
    parser.add_argument("--quick", action="store_true", help="one run of each: a smoke test")
    parser.add_argument("--package", type=Path, help="the generated project directory to time")
    args = parser.parse_args()
    if args.package is not None:
        global PACKAGE_DIR
        PACKAGE_DIR = args.package.resolve()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sizes()
    if args.quick:
        import_time(1, None)
        call_overhead(1, inner=20)
        if not args.skip_generate:
            generate_time(1, QUICK_SPEC, QUICK_PREVIOUS)
        return
    with tempfile.TemporaryDirectory() as tmp:
        import_time(args.runs, clean_venv(Path(tmp)) if not args.no_venv else None)
    call_overhead(args.runs)
    if not args.skip_generate:
        generate_time(max(3, args.runs // 3))


if __name__ == "__main__":
    main()
