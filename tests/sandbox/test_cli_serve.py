"""`microscout sandbox serve` prints its URL and the demo login, and stops after --lifetime."""
import json
import re
import subprocess
import sys
import urllib.request


def test_serve_prints_url_and_credentials_and_stops_by_itself(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "microscout", "sandbox", "serve", "--size", "50",
                             "--port", "0", "--lifetime", "3"],
                            stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        first = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first).group(0)
        with urllib.request.urlopen(url + "/api/v2/instance", timeout=5) as r:
            assert json.loads(r.read())["domain"] == "sandbox.example"
        rest = proc.stdout.read()
        assert "scout.bsky.sandbox" in rest and "sandbox-app-password" in rest
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_rejects_impossible_fault_rates(tmp_path):
    out = subprocess.run([sys.executable, "-m", "microscout", "sandbox", "serve", "--rate-429", "0.7",
                          "--rate-5xx", "0.7", "--lifetime", "1"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 2 and "sum to at most 1" in out.stderr


def test_serve_prints_the_mastodon_and_bluesky_crawls_flags_and_variables(tmp_path):
    # It printed "mastodon base_url = URL" and "identifier scout.bsky.sandbox  password …": the
    # config's keys, where the API platforms' lines give the crawl's --api and variables, so a
    # user copying them into `microscout crawl bluesky` had to find --appview, --pds and the
    # MICROSCOUT_BSKY_* names elsewhere.
    out = subprocess.run([sys.executable, "-m", "microscout", "sandbox", "serve", "--size", "50", "--port", "0",
                          "--lifetime", "1"], capture_output=True, text=True, cwd=tmp_path, timeout=30).stdout
    url = re.search(r"http://127\.0\.0\.1:\d+", out).group(0)
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:] if line.startswith("  ")}
    assert lines["mastodon"] == ["--instance", url]
    assert lines["bluesky"] == ["--appview", url, "--pds", url, "--appview-did", "did:web:api.bsky.app",
                                "MICROSCOUT_BSKY_HANDLE=scout.bsky.sandbox",
                                "MICROSCOUT_BSKY_APP_PASSWORD=sandbox-app-password"]
