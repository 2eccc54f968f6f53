"""`microscout import`: CSV, JSONL and instaloader JSON (.json, .json.xz) into the database,
checked row by row; idempotent; imported LinkedIn creators judged by `microscout shortlist`."""
from __future__ import annotations

import json
import lzma
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from tests.conftest import sigint_default
from tests.crawlers.conftest import rows

CONFIG = """
database = "scout.db"
plugins_dir = "none"

[campaigns.li]
platforms = ["linkedin"]
keywords = ["vegan", "recipe"]
target_tier = "micro"
"""

PROFILES_CSV = """handle,display_name,bio,followers,following,posts_count,created_at,url,has_avatar,notes
anna-vegan,Anna Green,Plant-based chef sharing vegan recipes,12000,300,240,2019-05-01,\
https://www.linkedin.com/in/anna-vegan/,true,met at expo
bob-b,Bob,,lots,,,,,,
,Nameless,,,,,,,,
carl-cooks,Carl,Vegan recipe developer,,,,,,,
https://www.linkedin.com/in/dora-d/,Dora,,7000,,,,,0,
"""

POSTS_CSV = """profile,id,created_at,text,likes,replies,reposts,views,url,paid_flag
anna-vegan,a1,2026-11-28T09:00:00Z,My #vegan lentil recipe for busy weeks,320,25,6,,\
https://www.linkedin.com/posts/a1,false
anna-vegan,a2,2026-11-25T09:00:00Z,Tofu three ways #recipe,280,19,4,9000,,
anna-vegan,a3,2026-11-22T09:00:00Z,#ad Paid partnership with OatCo: vegan oat milk,150,8,1,,,true
ghost,g1,2026-11-20,Who am I,1,,,,,
anna-vegan,a4,,no date,1,,,,,
anna-vegan,a5,2026-11-19T09:00:00Z,negative,-3,,,,,
"""


def run(tmp_path: Path, *args: str):
    (tmp_path / "config.toml").write_text(CONFIG)
    return CliRunner().invoke(cli, [*args, "--config", str(tmp_path / "config.toml"),
                                    "--db", str(tmp_path / "scout.db")])


def counts(db: Path) -> dict[str, int]:
    return {t: rows(db, f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in ("profiles", "posts", "profile_snapshots")}


@pytest.fixture
def linkedin_files(tmp_path):
    (tmp_path / "profiles.csv").write_text(PROFILES_CSV)
    (tmp_path / "posts.csv").write_text(POSTS_CSV)
    return tmp_path


def test_csv_profiles_and_posts_bad_rows_listed_good_rows_stored(linkedin_files):
    tmp_path = linkedin_files
    # posts first on the command line: profiles are imported first all the same
    result = run(tmp_path, "import", str(tmp_path / "posts.csv"), str(tmp_path / "profiles.csv"),
                 "--platform", "linkedin")
    assert result.exit_code == 1
    assert result.stdout == "import run 1 (linkedin): 11 rows from 2 files: 3 profiles, 3 posts stored\n"
    p, q = tmp_path / "profiles.csv", tmp_path / "posts.csv"
    assert result.stderr.splitlines() == [
        f"{p}: columns not imported: notes",
        "5 bad rows not imported:",
        f"  {p} line 3: column 'followers' holds 'lots'; it should be a whole number (below 2^63)",
        f"  {p} line 4: no handle and no id; every profile needs one of them",
        f"  {q} line 5: no linkedin profile 'ghost': import its profile first (or in the same command)",
        f"  {q} line 6: no created_at: every post needs its date",
        f"  {q} line 7: column 'likes' holds '-3'; a count cannot be negative",
        "  the good rows are stored; fix the bad ones and import the file again (stored rows are updated, "
        "never duplicated)"]
    db = tmp_path / "scout.db"
    profiles = {r["handle"]: r for r in rows(db, "SELECT * FROM profiles")}
    assert set(profiles) == {"anna-vegan", "carl-cooks", "dora-d"}
    anna = profiles["anna-vegan"]
    assert (anna["platform"], anna["platform_id"], anna["display_name"]) == ("linkedin", "anna-vegan", "Anna Green")
    assert (anna["followers"], anna["following"], anna["posts_count"], anna["has_avatar"]) == (12000, 300, 240, 1)
    assert anna["created_at"] == "2019-05-01T00:00:00+00:00" and anna["url"] == "https://www.linkedin.com/in/anna-vegan/"
    assert json.loads(anna["fetched"]) == ["profile", "posts"] and anna["last_post_at"] == "2026-11-28T09:00:00+00:00"
    carl = profiles["carl-cooks"]  # empty cells are unknown, never 0
    assert (carl["followers"], carl["following"], carl["posts_count"], carl["has_avatar"]) == (None,) * 4
    assert json.loads(carl["fetched"]) == ["profile"]
    assert profiles["dora-d"]["followers"] == 7000 and profiles["dora-d"]["has_avatar"] == 0
    # A profile the file gives no url for gets its public address from [platforms.linkedin] base_url.
    assert (carl["url"], profiles["dora-d"]["url"]) == ("https://www.linkedin.com/in/carl-cooks/",
                                                       "https://www.linkedin.com/in/dora-d/")
    posts = {r["platform_id"]: r for r in rows(db, "SELECT * FROM posts")}
    assert set(posts) == {"a1", "a2", "a3"}
    a1, a2, a3 = posts["a1"], posts["a2"], posts["a3"]
    assert (a1["likes"], a1["replies"], a1["reposts"], a1["views"], a1["paid_flag"]) == (320, 25, 6, None, 0)
    assert json.loads(a1["hashtags"]) == ["vegan"] and a1["profile_id"] == anna["id"]
    assert a2["views"] == 9000 and a2["paid_flag"] is None and a3["paid_flag"] == 1
    (run_row,) = rows(db, "SELECT * FROM crawl_runs")
    assert run_row["platform"] == "linkedin" and run_row["status"] == "incomplete"
    assert json.loads(run_row["arguments"])["import"] == [str(q), str(p)]
    assert json.loads(run_row["stats"])["import"]["bad_rows"] == 5
    snapshots = rows(db, "SELECT * FROM profile_snapshots WHERE profile_id = ?", [anna["id"]])
    assert [(s["followers"], s["crawl_run_id"]) for s in snapshots] == [(12000, run_row["id"])]


def test_reimport_is_idempotent(linkedin_files):
    tmp_path = linkedin_files
    files = [str(tmp_path / "profiles.csv"), str(tmp_path / "posts.csv")]
    os.utime(files[0], (1762000000, 1762000000))  # exported 2025-11-01, before the newer export below
    run(tmp_path, "import", *files, "--platform", "linkedin")
    before = counts(tmp_path / "scout.db")
    result = run(tmp_path, "import", *files, "--platform", "linkedin", "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert (summary["run"], summary["profiles"], summary["posts"], summary["bad_rows"]) == (2, 3, 3, 5)
    assert counts(tmp_path / "scout.db") == before == {"profiles": 3, "posts": 3, "profile_snapshots": 3}
    # a newer export of the same profiles (a later observation) adds a snapshot, nothing else
    newer = tmp_path / "profiles-dec.csv"
    newer.write_text("handle,followers,observed_at\nanna-vegan,12500,2026-12-01T00:00:00Z\n")
    assert run(tmp_path, "import", str(newer), "--platform", "linkedin").exit_code == 0
    assert counts(tmp_path / "scout.db") == {"profiles": 3, "posts": 3, "profile_snapshots": 4}
    anna = rows(tmp_path / "scout.db", "SELECT * FROM profiles WHERE handle = 'anna-vegan'")[0]
    assert anna["followers"] == 12500 and anna["bio"] == "Plant-based chef sharing vegan recipes"  # kept


def test_shortlist_judges_imported_linkedin_creators(linkedin_files):
    tmp_path = linkedin_files
    run(tmp_path, "import", str(tmp_path / "profiles.csv"), str(tmp_path / "posts.csv"), "--platform", "linkedin")
    result = run(tmp_path, "shortlist", "li")
    assert result.exit_code == 0, result.output
    verdicts = {(r["handle"], r["rule"]): r["outcome"] for r in rows(tmp_path / "scout.db", """
        SELECT p.handle, v.rule, v.outcome FROM verdicts v JOIN profiles p ON p.id = v.profile_id""")}
    assert verdicts[("anna-vegan", "tier_bounds")] == "pass"        # 12,000: LinkedIn micro is 5K-25K
    assert verdicts[("dora-d", "tier_bounds")] == "pass"
    assert verdicts[("carl-cooks", "tier_bounds")] == "unknown"     # no follower count in the file
    assert verdicts[("anna-vegan", "disclosure")] == "pass"         # the paid post says #ad
    for handle in ("anna-vegan", "carl-cooks", "dora-d"):           # never imported: unknown, not a pass
        assert verdicts[(handle, "audience_authenticity")] == "unknown"
        assert verdicts[(handle, "comment_quality")] == "unknown"
    assert verdicts[("carl-cooks", "engagement")] == "unknown"      # no posts


def test_jsonl_bad_lines_are_rows_not_the_file(tmp_path):
    path = tmp_path / "creators.jsonl"
    path.write_text('{"username": "eve", "followers_count": 9000, "name": "Eve"}\n'
                    '{"username": "fay", "followers_count": \n'
                    '["not", "an", "object"]\n'
                    '\n'
                    '{"id": "li-77", "followers": "8000", "bio": "Chef"}\n')
    result = run(tmp_path, "import", str(path), "--platform", "linkedin")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:3] == [
        "2 bad rows not imported:",
        f"  {path} line 2: not valid JSON (Expecting value: line 1 column 40 (char 39)); each line must be one "
        "JSON object",
        f"  {path} line 3: a JSON list, not an object"]
    stored = rows(tmp_path / "scout.db", "SELECT platform_id, handle, followers, display_name FROM profiles "
                                         "ORDER BY platform_id")
    assert stored == [{"platform_id": "eve", "handle": "eve", "followers": 9000, "display_name": "Eve"},
                      {"platform_id": "li-77", "handle": "li-77", "followers": 8000, "display_name": None}]


# --- instaloader ------------------------------------------------------------------------
# Written from instaloader's source (structures.py: get_json_structure, Profile._asdict,
# Post properties), not recorded from Instagram: the {"node", "instaloader"} wrapper, a
# Profile node without edge_owner_to_timeline_media (Profile._asdict drops it), Post nodes
# with shortcode, taken_at_timestamp, the caption edge, like/comment edges, video_view_count,
# the sponsor edge and an owner {id, username}. .json.xz files are LZMA (xz) as instaloader
# writes them (check=CHECK_NONE).
IL_PROFILE = {
    "node": {"id": "5123456789", "username": "anna.cooks", "full_name": "Anna Cooks",
             "biography": "Vegan recipes every week", "edge_followed_by": {"count": 18250},
             "edge_follow": {"count": 410}, "external_url": "https://anna.example", "is_private": False,
             "is_verified": False, "profile_pic_url_hd": "https://scontent.example/anna.jpg"},
    "instaloader": {"version": "4.14", "node_type": "Profile"}}


def il_post(shortcode: str, stamp: int, caption: str, likes: int, comments: int, video_views: int | None = None,
            sponsored: bool = False, owner: dict | None = None) -> dict:
    node = {"__typename": "GraphVideo" if video_views is not None else "GraphImage", "id": str(3000 + stamp % 997),
            "shortcode": shortcode, "taken_at_timestamp": stamp, "is_video": video_views is not None,
            "edge_media_to_caption": {"edges": [{"node": {"text": caption}}]},
            "edge_media_preview_like": {"count": likes}, "edge_media_to_comment": {"count": comments},
            "owner": owner if owner is not None else {"id": "5123456789", "username": "anna.cooks"}}
    if video_views is not None:
        node["video_view_count"] = video_views
    if sponsored:
        node["edge_media_to_sponsor_user"] = {"edges": [{"node": {"sponsor": {"username": "oatco"}}}]}
    return {"node": node, "instaloader": {"version": "4.14", "node_type": "Post"}}


def write_il(path: Path, data: dict) -> None:
    if path.name.endswith(".xz"):
        with lzma.open(path, "wt", check=lzma.CHECK_NONE) as fh:
            json.dump(data, fh, separators=(",", ":"))
    else:
        path.write_text(json.dumps(data, indent=4, sort_keys=True))
    os.utime(path, (1764547200, 1764547200))  # 2025-12-01: the observation time of the snapshot


def test_instaloader_folder_json_and_xz(tmp_path):
    folder = tmp_path / "anna.cooks"
    folder.mkdir()
    write_il(folder / "anna.cooks_5123456789.json.xz", IL_PROFILE)
    write_il(folder / "2026-11-20_10-00-00_UTC.json.xz", il_post("C1aaaaaaaaa", 1795168800, "Lentil soup #vegan",
                                                                  900, 40))
    write_il(folder / "2026-11-24_10-00-00_UTC.json", il_post("C2bbbbbbbbb", 1795514400, "Oat milk #ad",
                                                              500, 12, video_views=20000, sponsored=True))
    # owner by id only: found by the id of the profile imported beside it
    write_il(folder / "2026-11-26_10-00-00_UTC.json", il_post("C3ccccccccc", 1795687200, "Tofu", 700, 30,
                                                              owner={"id": "5123456789"}))
    write_il(folder / "story.json", {"node": {"id": "1"}, "instaloader": {"version": "4.14",
                                                                          "node_type": "StoryItem"}})
    result = run(tmp_path, "import", str(folder), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{folder / 'story.json'}: an instaloader StoryItem, not a Profile or Post: skipped\n"
    db = tmp_path / "scout.db"
    (profile,) = rows(db, "SELECT * FROM profiles")
    assert (profile["platform"], profile["platform_id"], profile["handle"]) == ("instagram", "5123456789", "anna.cooks")
    assert (profile["followers"], profile["following"], profile["posts_count"]) == (18250, 410, None)
    assert profile["display_name"] == "Anna Cooks" and profile["has_avatar"] == 1
    assert profile["url"] == "https://www.instagram.com/anna.cooks/"
    assert profile["website"] == "https://anna.example"  # instaloader's external_url: a contact
    posts = {r["platform_id"]: r for r in rows(db, "SELECT * FROM posts")}
    assert set(posts) == {"C1aaaaaaaaa", "C2bbbbbbbbb", "C3ccccccccc"}
    c1, c2 = posts["C1aaaaaaaaa"], posts["C2bbbbbbbbb"]
    # no sponsor edge in the node: whether it is paid is unknown, not "no"
    assert (c1["likes"], c1["replies"], c1["views"], c1["paid_flag"]) == (900, 40, None, None)
    assert c1["created_at"] == "2026-11-20T10:00:00+00:00"
    assert c1["text"] == "Lentil soup #vegan" and c1["url"] == "https://www.instagram.com/p/C1aaaaaaaaa/"
    assert (c2["views"], c2["paid_flag"]) == (20000, 1)
    (snap,) = rows(db, "SELECT * FROM profile_snapshots")
    assert snap["observed_at"] == "2025-12-01T00:00:00+00:00" and snap["followers"] == 18250


def test_instaloader_profile_updates_the_crawled_row_with_its_handle(tmp_path):
    crawled = tmp_path / "crawled.csv"  # as if the Graph API crawl had stored it under its own id
    crawled.write_text("platform_id,handle,followers\n17841400000000001,anna.cooks,18000\n")
    os.utime(crawled, (1762000000, 1762000000))  # 2025-11-01: before instaloader's file (write_il)
    assert run(tmp_path, "import", str(crawled), "--platform", "instagram").exit_code == 0
    write_il(tmp_path / "anna.cooks_5123456789.json", IL_PROFILE)
    assert run(tmp_path, "import", str(tmp_path / "anna.cooks_5123456789.json"), "--platform", "instagram"
               ).exit_code == 0
    (profile,) = rows(tmp_path / "scout.db", "SELECT platform_id, followers FROM profiles")
    assert profile == {"platform_id": "17841400000000001", "followers": 18250}


def test_a_truncated_xz_file_is_named_exit_2_alone_and_exit_1_in_a_folder(tmp_path):
    # lzma says EOFError for a stream cut short, which click printed as a bare "Aborted!"
    # (and the folder's good files were lost with it)
    import lzma

    folder = tmp_path / "il"
    folder.mkdir()
    write_il(folder / "anna.cooks_5123456789.json", IL_PROFILE)
    whole = lzma.compress(json.dumps(il_post("C1aaaaaaaaa", 1795168800, "Soup", 900, 40)).encode())
    cut = folder / "2026-11-20_10-00-00_UTC.json.xz"
    cut.write_bytes(whole[:len(whole) // 2])
    said = f"{cut}: the .xz file is cut short (truncated); copy or export it again"
    alone = run(tmp_path, "import", str(cut), "--platform", "instagram")
    assert (alone.exit_code, alone.stderr) == (2, f"Error: {said}\n")
    assert not (tmp_path / "scout.db").exists()

    # in a folder: the rest is imported, the file named as data not imported, exit 1
    result = run(tmp_path, "import", str(folder), "--platform", "instagram")
    assert result.exit_code == 1, result.output
    assert f"  {said}\n" in result.stderr
    assert [r["handle"] for r in rows(tmp_path / "scout.db", "SELECT handle FROM profiles")] == ["anna.cooks"]
    (imported,) = rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs")
    assert imported["status"] == "incomplete"


def test_a_table_in_a_folder_that_cannot_be_read_stops_the_import_as_the_help_says(tmp_path):
    # The help said exit 1 for any file of a folder that could not be read (the rest stored);
    # an empty CSV there stops the import, exit 2, as docs/IMPORT.md says: only instaloader's
    # JSON, of which a download folder holds many, is passed over as bad rows.
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "a.csv").write_text("handle,followers\nann,10\n")
    (folder / "empty.csv").write_text("")
    result = run(tmp_path, "import", str(folder), "--platform", "linkedin")
    assert (result.exit_code, result.stderr) == (
        2, f"Error: {folder / 'empty.csv'}: empty, or no header row; the first line must name the columns\n")
    assert not (tmp_path / "scout.db").exists() or rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs") == []
    said = " ".join(CliRunner().invoke(cli, ["import", "--help"]).output.split("Exit status:")[1].split())
    assert "1 when some rows were bad, or instaloader's JSON found in a folder could not be read" in said
    assert "2, with nothing stored, when a file cannot be read at all: a CSV, TSV or JSONL file (in a folder too" in said


@pytest.mark.parametrize("setup, args, message", [
    (None, ["missing.csv", "--platform", "linkedin"], "Error: {tmp}/missing.csv: no such file or folder"),
    ({"x.txt": "hi"}, ["x.txt", "--platform", "linkedin"],
     "Error: {tmp}/x.txt: unknown file type '.txt'; use .csv, .tsv, .jsonl, .ndjson, or instaloader's .json / "
     ".json.xz"),
    ({"p.csv": "name,followers\nA,1\n"}, ["p.csv", "--platform", "linkedin"],
     "Error: {tmp}/p.csv: no handle or id column for profiles; the columns are 'name', 'followers'; name one "
     "'handle' or 'platform_id' (a posts file names its author in a 'profile' column)"),
    ({"p.csv": ""}, ["p.csv", "--platform", "linkedin"],
     "Error: {tmp}/p.csv: empty, or no header row; the first line must name the columns"),
    ({"a.json": json.dumps(IL_PROFILE)}, ["a.json", "--platform", "linkedin"],
     "Error: {tmp}/a.json: instaloader JSON holds Instagram data; import it with --platform instagram"),
    ({"b.json": "[1, 2]"}, ["b.json", "--platform", "instagram"],
     "Error: {tmp}/b.json: not instaloader JSON (no \"node\" and \"instaloader\" keys); a .json file must be one "
     "instaloader wrote (--metadata-json); tables go in .csv or .jsonl"),
])
def test_unreadable_files_are_one_line_exit_2(tmp_path, setup, args, message):
    for name, text in (setup or {}).items():
        (tmp_path / name).write_text(text)
    args = [str(tmp_path / args[0]), *args[1:]]
    result = run(tmp_path, "import", *args)
    assert result.exit_code == 2
    assert result.stderr == message.format(tmp=tmp_path) + "\n"
    assert not (tmp_path / "scout.db").exists() or rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs") == []


# --- instaloader --comments, and what else instaloader leaves in a folder -------------------
# Written from instaloader's source (instaloader.py: download_post, update_comments,
# save_caption, save_location, download_profile's `id` file; nodeiterator.py: resume files
# saved with save_structure_to_file), not recorded from Instagram: `<post filename>_comments.json`
# is a plain JSON list (never .xz) of {id, created_at (Unix seconds, UTC), text, owner
# (Profile._asdict: id, username, …), likes_count, answers: [same fields, no answers]}; it
# names no shortcode, so the post is the JSON with the same file name. Beside them: the
# caption `<post filename>.txt`, `<post filename>_location.txt`, the profile's `id` file
# (its user id, no extension) and `iterator_<magic>.json.xz` resume files (a wrapped
# FrozenNodeIterator).
def il_comment(ident: int, stamp: int, text: str, username: str, likes: int, answers: list | None = None) -> dict:
    comment = {"id": ident, "created_at": stamp, "text": text, "likes_count": likes,
               "owner": {"id": str(9000 + ident % 100), "is_verified": False,
                         "profile_pic_url": "https://scontent.example/p.jpg", "username": username}}
    if answers is not None:
        comment["answers"] = answers
    return comment


COMMENTS_C1 = [
    il_comment(17900000000000002, 1795170000, "Made it tonight, the cumin makes it!", "lea.eats", 3, answers=[
        il_comment(17900000000000003, 1795171000, "@lea.eats so glad you liked it", "anna.cooks", 1)]),
    il_comment(17900000000000001, 1795169000, "Nice pic 🔥", "growth.guru", 0, answers=[]),
]


def il_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "anna.cooks"
    folder.mkdir()
    write_il(folder / "anna.cooks_5123456789.json.xz", IL_PROFILE)
    (folder / "id").write_text("5123456789")
    stem = "2026-11-20_10-00-00_UTC"
    write_il(folder / f"{stem}.json.xz", il_post("C1aaaaaaaaa", 1795168800, "Lentil soup #vegan", 900, 40))
    (folder / f"{stem}.txt").write_text("Lentil soup #vegan\n")
    (folder / f"{stem}_location.txt").write_text("Berlin\nhttps://maps.google.com/maps?q=52.5,13.4&ll=52.5,13.4\n")
    (folder / f"{stem}_comments.json").write_text(json.dumps(COMMENTS_C1, indent=4))
    write_il(folder / "2026-11-24_10-00-00_UTC.json", il_post("C2bbbbbbbbb", 1795514400, "Oat milk", 500, 12))
    write_il(folder / "iterator_3c2f.json.xz", {
        "node": {"query_hash": "003056d32c2554def87228bc3fd9668a", "query_variables": {"id": 5123456789},
                 "query_referer": None, "context_username": None, "total_index": 24, "best_before": None,
                 "remaining_data": None},
        "instaloader": {"version": "4.14", "node_type": "FrozenNodeIterator"}})
    return folder


def test_instaloader_folder_with_comments_imports_them(tmp_path):
    folder = il_folder(tmp_path)
    result = run(tmp_path, "import", str(folder), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    assert result.stdout == "import run 1 (instagram): 6 rows from 4 files: 1 profile, 2 posts, 3 comments stored\n"
    assert result.stderr == (f"{folder / 'iterator_3c2f.json.xz'}: an instaloader FrozenNodeIterator, not a Profile "
                             "or Post: skipped\n")
    db = tmp_path / "scout.db"
    (profile,) = rows(db, "SELECT id, fetched FROM profiles")
    assert json.loads(profile["fetched"]) == ["profile", "posts", "comments"]
    stored = {r["platform_id"]: r for r in rows(db, "SELECT * FROM comments")}
    assert set(stored) == {"17900000000000001", "17900000000000002", "17900000000000003"}
    lea = stored["17900000000000002"]
    assert (lea["platform"], lea["profile_id"], lea["post_platform_id"]) == ("instagram", profile["id"], "C1aaaaaaaaa")
    assert (lea["author_handle"], lea["author_id"], lea["likes"]) == ("lea.eats", "9002", 3)
    assert lea["text"] == "Made it tonight, the cumin makes it!" and lea["created_at"] == "2026-11-20T10:20:00+00:00"
    assert stored["17900000000000003"]["author_handle"] == "anna.cooks"  # a reply: a comment of the same post
    # again: the same rows, no duplicates
    again = run(tmp_path, "import", str(folder), "--platform", "instagram", "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["comments"] == 3
    assert len(rows(db, "SELECT * FROM comments")) == 3


def test_shortlist_judges_imported_instagram_comments(tmp_path):
    folder = il_folder(tmp_path)
    assert run(tmp_path, "import", str(folder), "--platform", "instagram").exit_code == 0
    (tmp_path / "config.toml").write_text(CONFIG + '\n[campaigns.ig]\nplatforms = ["instagram"]\n'
                                          'keywords = ["vegan"]\ntarget_tier = "micro"\n')
    result = CliRunner().invoke(cli, ["shortlist", "ig", "--config", str(tmp_path / "config.toml"),
                                      "--db", str(tmp_path / "scout.db")])
    assert result.exit_code == 0, result.output
    (verdict,) = rows(tmp_path / "scout.db", "SELECT outcome, reason FROM verdicts WHERE rule = 'comment_quality'")
    # judged on the imported comments (too few here), not "no comments were fetched"; the
    # creator's own reply is not an audience comment
    assert verdict == {"outcome": "unknown", "reason": "only 2 audience comments (at least 20 needed)"}


def test_instaloader_folder_other_json_skipped_with_a_note_named_file_still_an_error(tmp_path):
    folder = il_folder(tmp_path)
    (folder / "notes.json").write_text('{"todo": ["ask about rates"]}')
    (folder / "broken.json").write_text('{"node": ')
    orphan = folder / "2026-11-01_10-00-00_UTC_comments.json"  # its post's JSON is not there
    orphan.write_text(json.dumps(COMMENTS_C1))
    result = run(tmp_path, "import", str(folder), "--platform", "instagram")
    # JSON that is not instaloader's is skipped with a note; JSON cut short is data that could
    # not be imported: listed as bad rows are, exit 1 (the rest is stored)
    assert result.exit_code == 1, result.output
    notes = result.stderr.splitlines()
    assert f"{folder / 'notes.json'}: not instaloader's JSON (no \"node\" and \"instaloader\" keys): skipped" in notes
    assert any(n.startswith(f"  {folder / 'broken.json'}: not valid JSON (") for n in notes), notes
    assert (f"{orphan}: comments of a post whose JSON is not beside it (2026-11-01_10-00-00_UTC.json or .json.xz): "
            "skipped") in notes
    assert len(rows(tmp_path / "scout.db", "SELECT * FROM comments")) == 3
    # the same file named on the command line: the whole import stops, exit 2, nothing stored
    named = run(tmp_path, "import", str(folder / "notes.json"), str(folder / "anna.cooks_5123456789.json.xz"),
                "--platform", "instagram")
    assert named.exit_code == 2
    assert named.stderr == (f"Error: {folder / 'notes.json'}: not instaloader JSON (no \"node\" and \"instaloader\" "
                            "keys); a .json file must be one instaloader wrote (--metadata-json); tables go in .csv "
                            "or .jsonl\n")
    assert len(rows(tmp_path / "scout.db", "SELECT * FROM crawl_runs")) == 1


def test_instaloader_comments_file_named_alone_finds_its_post_beside_it(tmp_path):
    folder = il_folder(tmp_path)
    comments = folder / "2026-11-20_10-00-00_UTC_comments.json"
    # before its post is stored: one bad row for the file, exit 1
    first = run(tmp_path, "import", str(comments), "--platform", "instagram")
    assert first.exit_code == 1
    assert first.stderr.splitlines()[:2] == [
        "1 bad row not imported:",
        f"  {comments} line 1: no instagram post 'C1aaaaaaaaa' stored: its 3 comments are not imported; import the "
        "post's JSON first (or in the same command)"]
    assert run(tmp_path, "import", str(folder / "anna.cooks_5123456789.json.xz"),
               str(folder / "2026-11-20_10-00-00_UTC.json.xz"), "--platform", "instagram").exit_code == 0
    second = run(tmp_path, "import", str(comments), "--platform", "instagram")
    assert second.exit_code == 0, second.output
    assert {r["post_platform_id"] for r in rows(tmp_path / "scout.db", "SELECT * FROM comments")} == {"C1aaaaaaaaa"}


def test_instaloader_bad_comment_is_a_row_error(tmp_path):
    folder = il_folder(tmp_path)
    (folder / "2026-11-20_10-00-00_UTC_comments.json").write_text(json.dumps([
        il_comment(17900000000000005, 1795170000, "ok", "lea.eats", 1),
        {"created_at": 1795170000, "text": "no id"},
        il_comment(17900000000000006, "yesterday", "bad date", "lea.eats", 1)]))  # type: ignore[arg-type]
    result = run(tmp_path, "import", str(folder), "--platform", "instagram")
    assert result.exit_code == 1
    path = folder / "2026-11-20_10-00-00_UTC_comments.json"
    assert result.stderr.splitlines()[1:4] == [
        "2 bad rows not imported:",
        f"  {path} line 2: comment without an id",
        f"  {path} line 3: comment 17900000000000006: created_at 'yesterday' is not Unix seconds"]
    assert [r["platform_id"] for r in rows(tmp_path / "scout.db", "SELECT * FROM comments")] == ["17900000000000005"]


def test_instaloader_folder_without_anything_importable_is_exit_2_with_notes(tmp_path):
    folder = tmp_path / "empty.profile"
    folder.mkdir()
    (folder / "x_comments.json").write_text("[]")
    (folder / "other.json").write_text("[1, 2]")
    result = run(tmp_path, "import", str(folder), "--platform", "instagram")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: nothing to import: no profile or post in the files given"
    assert f"{folder / 'other.json'}: not instaloader's JSON (no \"node\" and \"instaloader\" keys): skipped" in \
        result.stderr.splitlines()


def test_a_count_past_what_sqlite_stores_is_a_bad_row_not_a_crash(tmp_path):
    (tmp_path / "o.csv").write_text("handle,followers\nbig,100000000000000000000000000000\nok,1500\n")
    result = run(tmp_path, "import", str(tmp_path / "o.csv"), "--platform", "linkedin")
    assert result.exit_code == 1 and "unexpected error" not in result.output
    assert f"{tmp_path / 'o.csv'} line 2: column 'followers' holds '100000000000000000000000000000'" in result.stderr
    assert [r["handle"] for r in rows(tmp_path / "scout.db", "SELECT handle FROM profiles")] == ["ok"]
    assert [r["status"] for r in rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs")] != ["running"]


# A count cell and what is stored of it (or the bad row's reason): plain digits are read at once
# (import_speed.py), every other form by the full reading, at the boundaries between the two.
COUNT_CELLS = [
    ("0", 0), ("007", 7), (" 42 ", 42), ("999999999999999999", 999_999_999_999_999_999),  # 18 digits: read at once
    ("9223372036854775807", 2 ** 63 - 1),  # 19 digits, the largest SQLite stores: the full reading
    ("9223372036854775808", "column 'followers' holds '9223372036854775808'; it should be a whole number"),
    ("١٢", 12),  # Arabic-Indic digits, as int() reads them
    ("²", "column 'followers' holds '²'; it should be a whole number"),
    ("12.5K", 12_500), ("1,234", 1_234), ("3.0", 3),
    ("-5", "column 'followers' holds '-5'; a count cannot be negative"),
    ("NaN", None), ("", None), ("  ", None),
]


def test_a_count_cell_is_read_the_same_whatever_its_form(tmp_path):
    # one import of every cell (a row each), not one per cell: each import makes a store
    lines = "".join(f'h{n},"{cell}", keeps its blanks \n' for n, (cell, _) in enumerate(COUNT_CELLS))
    (tmp_path / "p.csv").write_text("handle,followers,bio\n" + lines)
    result = run(tmp_path, "import", str(tmp_path / "p.csv"), "--platform", "linkedin")
    assert result.exit_code == 1, result.output  # some cells are bad rows
    got = {r["handle"]: (r["followers"], r["bio"])
           for r in rows(tmp_path / "scout.db", "SELECT handle, followers, bio FROM profiles")}
    said = " ".join(result.stderr.split())
    for n, (cell, stored) in enumerate(COUNT_CELLS):
        if isinstance(stored, str):
            assert f"line {n + 2}: {stored}" in said and f"h{n}" not in got, (cell, said)
        else:
            assert got[f"h{n}"] == (stored, " keeps its blanks "), cell


def test_a_cell_past_the_csv_modules_default_limit_is_imported(tmp_path):
    # it stopped the import there ("bad CSV: field larger than field limit", the rest not read),
    # while `check` read the same file whole
    import csv

    (tmp_path / "p.csv").write_text("handle,bio\nann,hi\nbob,hi\ncat," + "x" * 200_000 + "\ndan,hi\n")
    raised = csv.field_size_limit(131_072)  # a fresh process's limit: a check command in this one raises it
    try:
        result = run(tmp_path, "import", str(tmp_path / "p.csv"), "--platform", "linkedin")
    finally:
        csv.field_size_limit(raised)
    assert result.exit_code == 0, result.output
    stored = rows(tmp_path / "scout.db", "SELECT handle, length(bio) AS n FROM profiles ORDER BY id")
    assert [(r["handle"], r["n"]) for r in stored] == [("ann", 2), ("bob", 2), ("cat", 200_000), ("dan", 2)]


def test_a_handle_urllib_cannot_parse_is_a_bad_row_not_a_crash(tmp_path):
    (tmp_path / "p.csv").write_text("handle,followers\nhttp://[::1/@bob,100\nok,1500\n")
    (tmp_path / "posts.csv").write_text("profile,id,created_at\nhttp://[::1/@bob,1,2026-11-28\nok,2,2026-11-28\n")
    result = run(tmp_path, "import", str(tmp_path / "p.csv"), str(tmp_path / "posts.csv"), "--platform", "linkedin")
    assert result.exit_code == 1 and "unexpected error" not in result.output
    assert f"{tmp_path / 'p.csv'} line 2: handle 'http://[::1/@bob' is not a handle" in result.stderr
    assert f"{tmp_path / 'posts.csv'} line 2: no linkedin profile 'http://[::1/@bob'" in result.stderr
    assert counts(tmp_path / "scout.db") == {"profiles": 1, "posts": 1, "profile_snapshots": 1}


def test_an_import_stopped_with_ctrl_c_is_recorded_interrupted_and_says_so(tmp_path):
    # Its run stayed "running" until some later crawl noticed, and the user read "Aborted!".
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    big = tmp_path / "people.csv"
    # Large enough that a poller held back by a busy machine still stops it before the end
    # (60,000 rows were sometimes all imported before the signal came).
    big.write_text("handle,followers\n" + "".join(f"person{i},{1000 + i}\n" for i in range(300_000)))
    env = {**os.environ, "MICROSCOUT_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.Popen([sys.executable, "-m", "microscout", "--db", str(tmp_path / "scout.db"), "import",
                             str(big), "--platform", "linkedin"], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=sigint_default)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until it has stored some rows, then stop it
        try:
            if sqlite3.connect(tmp_path / "scout.db").execute("SELECT count(*) FROM profiles").fetchone()[0]:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    (run,) = rows(tmp_path / "scout.db", "SELECT status, profiles FROM crawl_runs")
    assert run["status"] == "interrupted" and 0 < run["profiles"] < 300_000
    assert "recorded interrupted" in err and "Traceback" not in err


def test_a_crawl_after_an_import_updates_the_imported_creator_instead_of_adding_another(tmp_path):
    from microscout.store import open_store
    from microscout.store.writes import upsert_profiles

    (tmp_path / "creators.csv").write_text("Username,Followers\n@Sam_Biru,20000\nother_one,900\n")
    imported = run(tmp_path, "import", str(tmp_path / "creators.csv"), "--platform", "instagram")
    assert imported.exit_code == 0, imported.output
    db = open_store(tmp_path / "scout.db")
    (before,) = db.execute("SELECT id FROM profiles WHERE handle = 'Sam_Biru'").fetchall()
    # The crawl's row: Instagram's own id, the handle as the API spells it.
    ids = upsert_profiles(db, [{"platform": "instagram", "platform_id": "17841401000000189", "handle": "sam_biru",
                                "followers": 37_920}])
    db.conn.commit()
    rows = db.execute("SELECT id, platform_id, handle, followers FROM profiles WHERE platform = 'instagram' "
                      "ORDER BY id").fetchall()
    assert [r[0] for r in rows] == [before[0], before[0] + 1]  # still two creators: Sam and the other one
    assert rows[0][1:] == ("17841401000000189", "sam_biru", 37_920)
    assert ids == {("instagram", "17841401000000189"): before[0]}
    # A crawled creator is never merged into another crawled one, nor one whose id is no handle.
    upsert_profiles(db, [{"platform": "instagram", "platform_id": "999", "handle": "sam_biru"}])
    assert db.execute("SELECT count(*) FROM profiles WHERE lower(handle) = 'sam_biru'").fetchone()[0] == 2


def test_other_tools_exports_are_read_as_they_write_them(tmp_path):
    """A review's files (2026-12-04): Excel's ';' CSV with a BOM and grouped thousands, an
    Upfluence-style 'Instagram Username', a posts file naming its author by profile URL."""
    (tmp_path / "excel.csv").write_bytes("\ufeffInstagram Username;Followers;Bio\r\ndora_d;15.000;Hi\r\n"
                                         "eli_e;1.234.567;Yo\r\nida_i;12,5K;Hej\r\n".encode())
    (tmp_path / "modash.csv").write_text('Username,Followers,Profile URL\nfay_f,"1,234",https://www.instagram.com/fay_f/\n'
                                         'gus_g,12.5K,\nhal_h,1.2M,\n')
    (tmp_path / "posts.csv").write_text("owner,shortcode,taken_at,caption,likes\n"
                                        "https://www.instagram.com/fay_f/,C1,2026-11-20T10:00:00Z,hello,\"1,200\"\n")
    result = run(tmp_path, "import", str(tmp_path / "excel.csv"), str(tmp_path / "modash.csv"),
                 str(tmp_path / "posts.csv"), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    stored = {r["handle"]: r["followers"] for r in rows(tmp_path / "scout.db", "SELECT * FROM profiles")}
    assert stored == {"dora_d": 15_000, "eli_e": 1_234_567, "fay_f": 1_234, "gus_g": 12_500, "hal_h": 1_200_000,
                      "ida_i": 12_500}  # "12,5K": a ';' file writes decimals with a comma
    (post,) = rows(tmp_path / "scout.db", "SELECT p.likes, f.handle FROM posts p JOIN profiles f ON f.id = p.profile_id")
    assert (post["likes"], post["handle"]) == (1_200, "fay_f")


@pytest.mark.parametrize("name, text, message", [
    # csv.DictReader keeps the last of two cells of one name: "a" was lost without a word
    ("dup.csv", "handle,handle,followers\na,b,10\n",
     "Error: {path}: the header names the column 'handle' twice; rename or remove one"),
    ("dup2.csv", "Handle,followers, handle\na,10,b\n",
     "Error: {path}: the header names the column 'handle' twice; rename or remove one"),
    ("empty.csv", "handle,followers\n", "Error: nothing to import: {path} holds a header and no rows"),
])
def test_files_that_would_import_wrong_or_nothing_are_one_line_exit_2(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    result = run(tmp_path, "import", str(tmp_path / name), "--platform", "instagram")
    assert (result.exit_code, result.stderr) == (2, message.format(path=tmp_path / name) + "\n")


def test_a_header_only_file_beside_others_is_said(tmp_path):
    (tmp_path / "ok.csv").write_text("handle,followers\nann,10\n")
    (tmp_path / "hdr.csv").write_text("handle,followers\n")
    result = run(tmp_path, "import", str(tmp_path / "ok.csv"), str(tmp_path / "hdr.csv"), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'hdr.csv'}: a header and no rows: nothing imported from it" in result.stderr
    assert "1 row from 2 files" in result.stdout


def test_a_decimal_comma_in_a_comma_file_asks_for_a_point(tmp_path):
    (tmp_path / "c.csv").write_text('handle,followers\nann,"12,5K"\n')
    result = run(tmp_path, "import", str(tmp_path / "c.csv"), "--platform", "instagram")
    assert result.exit_code == 1
    assert "column 'followers' holds '12,5K'; write it 12.5K or 12500" in result.stderr


def test_a_tiktok_video_export_is_read_as_posts_not_profiles(tmp_path):
    # The Research API's video fields, as a JSONL export of video/query writes them.
    (tmp_path / "creators.csv").write_text("handle,followers\ns.clovis,5000\n")
    (tmp_path / "videos.jsonl").write_text(json.dumps(
        {"id": 7320768196569599275, "username": "s.clovis", "create_time": 1704153600,
         "video_description": "Morning routine #vegan", "like_count": 120, "comment_count": 4,
         "share_count": 2, "view_count": 3400}) + "\n")
    result = run(tmp_path, "import", str(tmp_path / "creators.csv"), str(tmp_path / "videos.jsonl"),
                 "--platform", "tiktok")
    assert result.exit_code == 0, result.output
    assert [r["handle"] for r in rows(tmp_path / "scout.db", "SELECT handle FROM profiles")] == ["s.clovis"]
    (post,) = rows(tmp_path / "scout.db", "SELECT * FROM posts")
    assert (post["platform_id"], post["likes"], post["views"], post["text"]) == (
        "7320768196569599275", 120, 3400, "Morning routine #vegan")
    assert post["created_at"].startswith("2024-01-02")


def test_a_profile_listed_twice_in_a_file_is_said_and_its_later_row_stored(tmp_path):
    (tmp_path / "creators.csv").write_text("handle,followers\nanna,100\nben,200\n@Anna,300\n")
    result = run(tmp_path, "import", str(tmp_path / "creators.csv"), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'creators.csv'} line 4: handle 'anna' again (first on line 2): the later row's values " \
           "are stored" in result.stderr
    stored = {r["handle"].lower(): r["followers"] for r in rows(tmp_path / "scout.db", "SELECT * FROM profiles")}
    assert stored == {"anna": 300, "ben": 200}


def test_a_profile_listed_twice_in_one_file_in_other_case_is_one_profile(tmp_path):
    # the note says the later row's values are stored: one profile, not one per spelling
    (tmp_path / "creators.csv").write_text("handle,followers\nanna,100\nben,200\n@Anna,300\n")
    result = run(tmp_path, "import", str(tmp_path / "creators.csv"), "--platform", "linkedin", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["profiles"] == 2
    stored = rows(tmp_path / "scout.db", "SELECT platform_id, handle, followers FROM profiles ORDER BY id")
    assert [(r["handle"].lower(), r["followers"]) for r in stored] == [("anna", 300), ("ben", 200)]
    assert counts(tmp_path / "scout.db")["profile_snapshots"] == 2


def test_a_profile_a_jsonl_file_lists_twice_is_said_as_in_a_csv(tmp_path):
    (tmp_path / "creators.jsonl").write_text('{"handle": "anna", "followers": 100}\n{"username": "ben"}\n'
                                             '{"handle": "@Anna", "followers": 300}\n')
    result = run(tmp_path, "import", str(tmp_path / "creators.jsonl"), "--platform", "linkedin")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'creators.jsonl'} line 3: handle 'anna' again (first on line 1): the later row's " \
           "values are stored" in result.stderr
    stored = rows(tmp_path / "scout.db", "SELECT handle, followers FROM profiles ORDER BY id")
    assert [(r["handle"], r["followers"]) for r in stored] == [("Anna", 300), ("ben", None)]


def test_a_tsv_file_imports_as_a_csv_separated_by_tabs_named_or_in_a_folder(tmp_path):
    # `crawl --handles` reads .tsv, and a tab-separated file named .csv imported, but import
    # refused a .tsv as an unknown file type.
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "creators.tsv").write_text("handle\tfollowers\tbio\nann\t1,200\tVegan, mostly\nben\t300\t\n")
    (folder / "posts.tsv").write_text("profile\tid\tcreated_at\ttext\nann\tp1\t2026-11-20\tLentils, again\n")
    (folder / "later.tsv").write_text("handle\n")
    result = run(tmp_path, "import", str(folder / "creators.tsv"), "--platform", "linkedin")
    assert result.exit_code == 0, result.output
    again = run(tmp_path, "import", str(folder), "--platform", "linkedin", "--json")
    assert again.exit_code == 0, again.output
    assert f"{folder / 'later.tsv'}: a header and no rows: nothing imported from it" in again.stderr
    assert (json.loads(again.stdout)["files"], json.loads(again.stdout)["posts"]) == (3, 1)
    stored = {r["handle"]: (r["followers"], r["bio"]) for r in rows(tmp_path / "scout.db", "SELECT * FROM profiles")}
    assert stored == {"ann": (1_200, "Vegan, mostly"), "ben": (300, None)}
    (post,) = rows(tmp_path / "scout.db", "SELECT text FROM posts")
    assert post["text"] == "Lentils, again"
    said = " ".join(CliRunner().invoke(cli, ["import", "--help"]).output.split())
    assert "(CSV: .csv, or .tsv separated by tabs; JSONL: .jsonl, .ndjson;" in said


def test_a_posts_file_whose_marker_column_is_written_with_a_space_is_read_as_posts(linkedin_files):
    """'Post URL' (or 'Post ID', 'Taken At') names post_url as 'Instagram Username' names
    instagram_username: such a posts file was imported as profiles, exit 0, each post's author
    stored again as a profile with empty counts and its posts dropped with a note."""
    tmp_path = linkedin_files
    run(tmp_path, "import", str(tmp_path / "profiles.csv"), "--platform", "linkedin")
    before = counts(tmp_path / "scout.db")
    (tmp_path / "tool.csv").write_text("Username,Post URL,Date,Likes,Comments\n"
                                       "anna-vegan,https://www.linkedin.com/posts/t1,2026-11-28,1.2K,30\n")
    result = run(tmp_path, "import", str(tmp_path / "tool.csv"), "--platform", "linkedin")
    assert result.exit_code == 0, result.output
    assert "1 post stored" in result.stdout and "0 profiles" in result.stdout
    after = counts(tmp_path / "scout.db")
    assert after["posts"] == before["posts"] + 1
    assert after["profile_snapshots"] == before["profile_snapshots"]  # no empty snapshot of anna
    post = rows(tmp_path / "scout.db", "SELECT likes, replies FROM posts WHERE platform_id LIKE '%t1'")[0]
    assert (post["likes"], post["replies"]) == (1200, 30)


@pytest.mark.parametrize("header, cells, missing", [
    ("profile,id,text,likes", "anna-vegan,t1,hello,3", "'created_at'"),
    ("profile,created_at,text,likes", "anna-vegan,2026-11-28,hello,3", "'id'"),
])
def test_a_posts_file_without_a_column_every_post_needs_is_refused_in_one_line(linkedin_files, header, cells,
                                                                              missing):
    """No date column (or no id and no url): every row was listed as its own bad row, exit 1,
    the run recorded as an import — one line naming the file and the column, exit 2."""
    tmp_path = linkedin_files
    run(tmp_path, "import", str(tmp_path / "profiles.csv"), "--platform", "linkedin")
    before = counts(tmp_path / "scout.db")
    runs = rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM crawl_runs")[0]["n"]
    (tmp_path / "noid.csv").write_text(f"{header}\n" + f"{cells}\n" * 3)
    result = run(tmp_path, "import", str(tmp_path / "noid.csv"), "--platform", "linkedin")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path / "noid.csv") in lines[0] and missing in lines[0], lines
    assert counts(tmp_path / "scout.db") == before
    assert rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM crawl_runs")[0]["n"] == runs


def test_a_quote_never_closed_refuses_the_file_naming_the_line_where_it_opens(tmp_path):
    """The csv module reads a quote left open to the end of the file as one cell: 'bob' was
    stored with the rest of the file as his bio, 'cat' and 'dan' lost, exit 0."""
    (tmp_path / "open.csv").write_text('handle,bio,followers\nann,"Cook, baker",12000\nbob,"Says ""hi"" 5000\n'
                                       'cat,Vegan,13000\ndan,Chef,14000\n')
    result = run(tmp_path, "import", str(tmp_path / "open.csv"), "--platform", "instagram")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {tmp_path / 'open.csv'} line 3: a quote opened here is never closed")
    assert not (tmp_path / "scout.db").exists() or counts(tmp_path / "scout.db")["profiles"] == 0
    # a quote inside an unquoted cell is a character of it, not a quote left open
    (tmp_path / "inch.csv").write_text('handle,bio,followers\nann,5" tall,12000\nbob,ok,5000\n')
    result = run(tmp_path, "import", str(tmp_path / "inch.csv"), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    assert [r["bio"] for r in rows(tmp_path / "scout.db", "SELECT bio FROM profiles ORDER BY handle")] == \
        ['5" tall', "ok"]


def test_a_row_is_named_by_the_line_where_it_starts(tmp_path):
    """A bio with a line break in it: the row was named by its last line (and every note about
    a profile listed again), not the line a text editor shows it starting on."""
    (tmp_path / "multi.csv").write_bytes(b"\xef\xbb\xbf\n\nhandle,bio,followers\r\nann,\"multi\r\nline\",lots\r\n"
                                         b"dan,\"a\r\nb\",5\r\ndan,c,6\r\n")
    result = run(tmp_path, "import", str(tmp_path / "multi.csv"), "--platform", "instagram")
    assert result.exit_code == 1
    path = tmp_path / "multi.csv"
    assert f"{path} line 4: column 'followers' holds 'lots'" in result.stderr
    assert f"{path} line 8: handle 'dan' again (first on line 6)" in result.stderr


def test_a_quoted_line_break_is_stored_as_one_whatever_system_wrote_the_file(tmp_path):
    """A review: reading line by line kept a Windows file's \r\n inside a quoted bio (the whole
    text read before stored \n), so the same export from Windows and from a Mac stored two
    different bios, and re-importing one after the other changed every multi-line bio."""
    (tmp_path / "win.csv").write_bytes(b"handle,bio\r\nann,\"line one\r\nline two\"\r\nbo,\"old\rmac\"\r\n")
    assert run(tmp_path, "import", str(tmp_path / "win.csv"), "--platform", "instagram").exit_code == 0
    assert [r["bio"] for r in rows(tmp_path / "scout.db", "SELECT bio FROM profiles ORDER BY handle")] == \
        ["line one\nline two", "old\nmac"]


def test_a_csv_is_read_line_by_line_not_held_whole_and_copied(tmp_path):
    """A 200 MB export took 3.1 GB to import (the text whole, split into lines, joined again
    and copied into a buffer before the rows were read); the rows kept are what it needs."""
    import tracemalloc

    from microscout.importers import read

    path = tmp_path / "big.csv"
    path.write_text("handle,bio,followers\n" + "".join(f'u{i},"{"🍝 vegan recipes " * 20}",{i}\n'
                                                        for i in range(3000)), encoding="utf-8")
    tracemalloc.start()
    try:
        _header, records, _ = read.table(path)
        kept = list(records)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(kept) == 3000
    assert peak < 1.5 * current, (peak, current)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_an_import_stores_its_rows_as_it_reads_them_not_all_held_first(tmp_path, suffix):
    """A 200 MB export took 2 GB to import: every checked row was held until the whole file was
    read (the notes about a profile listed twice span the file; a JSONL file's text and lines were
    held too). The rows now go to the store 500 at a time as they are read from the disk; what is
    kept across the file is a key or two per profile."""
    import tracemalloc

    (tmp_path / "warm.csv").write_text("handle,followers\nw,1\n")  # the modules loaded before measuring
    assert run(tmp_path, "import", str(tmp_path / "warm.csv"), "--platform", "linkedin").exit_code == 0
    path = tmp_path / f"big{suffix}"
    bio = "Plant-based recipes and slow cooking; collabs by email. " * 60
    listed = [(f"u{i}", i, f"{bio}{i}") for i in range(5_000)] + [("U7", 5, "")]
    if suffix == ".csv":
        path.write_text("handle,followers,bio\n" + "".join(f'{h},{n},"{b}"\n' for h, n, b in listed))
    else:
        path.write_text("".join(json.dumps({"handle": h, "followers": n, "bio": b or None}) + "\n"
                                for h, n, b in listed))
    line = 5002 if suffix == ".csv" else 5001
    size = path.stat().st_size
    tracemalloc.start()
    try:
        result = run(tmp_path, "import", str(path), "--platform", "linkedin")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    # the note about a row listed again, 5,000 rows (10 batches) after the first
    assert f"{path} line {line}: handle 'u7' again (first on line {line - 5_000 + 7})" in result.stderr
    assert "5,001 rows from 1 file: 5,000 profiles" in result.stdout, result.stdout
    stored = rows(tmp_path / "scout.db", "SELECT count(*) AS n, sum(followers) AS f FROM profiles WHERE handle != 'w'")
    assert (stored[0]["n"], stored[0]["f"]) == (5_000, sum(range(5_000)) - 7 + 5)
    # held as rows, they took 1.3 times the file's size; now a batch (500 rows of 3 KB, a third of
    # the size here) and a key per profile, whatever the number of rows
    assert peak < size / 2, (peak, size)


@pytest.mark.parametrize("suffix, changed", [
    (".csv", b"\xff\xfe,9\n"), (".csv", b'zed,"open\n'), (".jsonl", b'{"handle": "\xff"}\n'), (".csv", None)])
def test_a_file_changed_between_its_two_reads_is_listed_with_the_bad_rows(tmp_path, monkeypatch, suffix, changed):
    """A file is read twice: once, before anything is stored, to check it and count its rows,
    once to store them. One that can no longer be read the second time (rewritten or removed in
    between) keeps the rows stored before that point, and is listed as a bad row: never a
    traceback, never a run left "running"."""
    from microscout.cli import import_cmd

    path = tmp_path / f"p{suffix}"
    listed = [(f"u{i}", i) for i in range(1_200)]
    path.write_text("handle,followers\n" + "".join(f"{h},{n}\n" for h, n in listed) if suffix == ".csv"
                    else "".join(json.dumps({"handle": h, "followers": n}) + "\n" for h, n in listed))
    real = import_cmd.run_import

    def change_then_import(*args, **kwargs):
        if changed is None:
            path.unlink()
        else:
            with path.open("ab") as fh:
                fh.write(changed)
        return real(*args, **kwargs)

    monkeypatch.setattr(import_cmd, "run_import", change_then_import)
    result = run(tmp_path, "import", str(path), "--platform", "linkedin")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f"{path}: the file changed since it was first read (" in result.stderr
    assert "the rest of it is not imported; import it again" in result.stderr
    stored = rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM profiles")[0]["n"]
    # the rows read before: all of them before a quote left open; before a byte that is not UTF-8,
    # those before the piece of the file (8 KB) decoded with it
    if changed is None:
        assert stored == 0
    elif changed.startswith(b"zed"):
        assert stored == 1_200
    else:
        assert 0 < stored < 1_200
    assert f"import run 1 (linkedin): {stored:,} rows from 1 file: {stored:,} profiles, 0 posts stored" \
        in result.stdout
    (run_row,) = rows(tmp_path / "scout.db", "SELECT status FROM crawl_runs")
    assert run_row["status"] == "incomplete"


def test_bad_rows_are_all_counted_the_first_thousand_recorded_fifty_shown(tmp_path):
    """A file whose rows are bad is not held as the list of them: every one is counted, the
    first 1,000 go into the run's record, the first 50 are shown."""
    path = tmp_path / "p.csv"
    path.write_text("handle,followers\n" + "".join(f"u{i},{'lots' if i % 2 else i}\n" for i in range(2_600)))
    result = run(tmp_path, "import", str(path), "--platform", "linkedin")
    assert result.exit_code == 1
    assert "1300 bad rows not imported:" in result.stderr
    assert f"  {path} line 3: column 'followers' holds 'lots'" in result.stderr
    assert f"  {path} line 101: column" in result.stderr and f"{path} line 103: column" not in result.stderr
    assert "  … and 1250 more (crawl_runs.stats of run 1)" in result.stderr
    (run_row,) = rows(tmp_path / "scout.db", "SELECT status, items, stats FROM crawl_runs")
    stats = json.loads(run_row["stats"])["import"]
    assert (run_row["status"], run_row["items"], stats["bad_rows"], len(stats["bad"])) == \
        ("incomplete", 1_300, 1_300, 1_000)
    assert stats["bad"][-1]["line"] == 2_001
    assert rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM profiles")[0]["n"] == 1_300


def test_an_older_export_imported_after_a_newer_one_adds_history_not_current_values(tmp_path):
    """Monthly exports imported out of order (or last month's after a crawl): the older file's
    followers and bio replaced the newer ones, so the creator was judged on stale numbers
    (here out of the micro tier) while its last_seen still said the newer date."""
    (tmp_path / "dec.csv").write_text("handle,followers,bio,observed_at\nanna-vegan,20000,Vegan recipes now,"
                                      "2026-12-01\n")
    (tmp_path / "jun.csv").write_text("handle,display_name,followers,bio,observed_at\nAnna-Vegan,Anna,4000,"
                                      "Student,2026-06-01\n")
    assert run(tmp_path, "import", str(tmp_path / "dec.csv"), "--platform", "linkedin").exit_code == 0
    assert run(tmp_path, "import", str(tmp_path / "jun.csv"), "--platform", "linkedin").exit_code == 0
    (profile,) = rows(tmp_path / "scout.db", "SELECT handle, display_name, followers, bio, first_seen, last_seen "
                                             "FROM profiles")
    assert (profile["handle"], profile["followers"], profile["bio"]) == ("anna-vegan", 20000, "Vegan recipes now")
    assert profile["display_name"] == "Anna"  # unknown until the older file said it
    assert profile["first_seen"].startswith("2026-06-01") and profile["last_seen"].startswith("2026-12-01")
    history = rows(tmp_path / "scout.db", "SELECT observed_at, followers FROM profile_snapshots ORDER BY observed_at")
    assert [(h["observed_at"][:10], h["followers"]) for h in history] == [("2026-06-01", 4000), ("2026-12-01", 20000)]
    # the newer file again, and a newer one still: current values follow the newest
    (tmp_path / "jan.csv").write_text("handle,followers,observed_at\nanna-vegan,21000,2027-01-01\n")
    assert run(tmp_path, "import", str(tmp_path / "jan.csv"), "--platform", "linkedin").exit_code == 0
    assert rows(tmp_path / "scout.db", "SELECT followers FROM profiles")[0]["followers"] == 21000


@pytest.mark.parametrize("cell, stored", [
    ("2019", None),                    # the year an account joined: was 1970-01-01T00:33:39
    # a date without its dashes (ISO 8601's basic form), as `check` reads it: was 1970-08-23, then refused
    ("20241101", "2024-11-01T00:00:00+00:00"),
    ("20241301", None),                # no such month: no date, and no Unix time either
    ("0", None),
    ("1732000000", "2024-11-19T07:06:40+00:00"),
    ("1732000000000", "2024-11-19T07:06:40+00:00"),  # milliseconds, as check reads them: was refused
])
def test_a_number_in_a_date_column_is_unix_time_only_when_it_can_be(tmp_path, cell, stored):
    (tmp_path / "p.csv").write_text(f"handle,followers,joined\nann,1200,{cell}\n")
    result = run(tmp_path, "import", str(tmp_path / "p.csv"), "--platform", "instagram")
    if stored is None:
        assert result.exit_code == 1 and f"line 2: column 'joined' holds '{cell}', which is no Unix time" in \
            result.stderr, result.output
        assert rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM profiles")[0]["n"] == 0
    else:
        assert result.exit_code == 0, result.output
        assert rows(tmp_path / "scout.db", "SELECT created_at FROM profiles")[0]["created_at"] == stored


@pytest.mark.parametrize("header, line, what", [
    # a profiles export naming each account's own id 'Profile ID': imported as profiles before
    # spaces were read as _, then taken for a posts file ('profile_id' names a post's author
    # there) and refused: "no 'created_at' column … giving each post's date"
    ("Profile ID,Username,Followers,Bio", "123456,ann,1200,vegan food", "profiles"),
    ("profile_id,username,followers,bio", "123456,ann,1200,vegan food", "profiles"),
    # a posts file naming its author profile_id, with only columns both kinds share, stays posts
    ("profile_id,id,created_at,url", "ann,p1,2026-11-28,https://instagram.com/p/p1/", "posts"),
])
def test_a_profile_id_column_alone_does_not_make_a_profiles_file_a_posts_file(tmp_path, header, line, what):
    if what == "posts":
        (tmp_path / "p.csv").write_text("handle,followers\nann,1200\n")
        assert run(tmp_path, "import", str(tmp_path / "p.csv"), "--platform", "instagram").exit_code == 0
    (tmp_path / "f.csv").write_text(f"{header}\n{line}\n")
    result = run(tmp_path, "import", str(tmp_path / "f.csv"), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    if what == "profiles":
        stored = rows(tmp_path / "scout.db", "SELECT platform_id, handle, followers FROM profiles")
        assert stored == [{"platform_id": "123456", "handle": "ann", "followers": 1200}]
    else:
        assert rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM posts")[0]["n"] == 1


# --- what the header says and what --kind says -----------------------------------------------
# A file whose columns are only posts' (text, caption, likes…) and none only profiles' (handle,
# followers, bio…) holds posts, and one the other way round profiles: --kind naming the other
# kind was taken at its word, each post's id stored as a profile's platform_id (its text
# dropped with a note), each profile as a post dated when the account was created, exit 0.
# Where the columns say nothing of the kind (username, id, created_at, url: both kinds have
# them), or say both, --kind decides: it is what --kind is for.
NOT_PROFILES = "no column is one only profiles have (handle, followers, bio…)"
NOT_POSTS = "no column is one only posts have (profile, text, likes…)"
NEEDS_AUTHOR_AND_DATE = ("as posts it needs a 'profile' column naming each post's author and a 'created_at' column "
                         "giving each post's date: add them, then import it with --kind posts, or without --kind")


@pytest.mark.parametrize("name, text, kind, message", [
    # the report: a post's id stored as a profile's, "1 profile, 0 posts stored"
    ("posts.csv", "id,text\n1,hello\n", "profiles",
     f"--kind profiles, but the file holds posts: 'text' is a column only posts have, and {NOT_PROFILES}; "
     + NEEDS_AUTHOR_AND_DATE),
    # without --kind the same file was read as profiles too: now as posts, refused for its author
    ("posts.csv", "id,text\n1,hello\n", "auto",
     "no 'profile' column naming each post's author; the columns are 'id', 'text'"),
    ("posts.csv", "profile,id,created_at,text,likes\nann,p1,2026-11-28,hello,3\n", "profiles",
     f"--kind profiles, but the file holds posts: 'profile', 'text', 'likes' are columns only posts have, and "
     f"{NOT_PROFILES}; import it with --kind posts, or without --kind"),
    ("Posts.csv", "Username,ID,Date,Caption,Likes,Comments,Shares,Views\nann,p1,2026-11-28,hello,3,1,0,90\n",
     "profiles", f"--kind profiles, but the file holds posts: 'Date', 'Caption', 'Likes', 'Comments', … are "
     f"columns only posts have, and {NOT_PROFILES}; import it with --kind posts, or without --kind"),
    # TikTok's video export names the author username, as a profiles export does
    ("videos.jsonl", json.dumps({"id": 7320768196569599275, "username": "ann", "create_time": 1704153600,
                                 "video_description": "Morning #vegan", "like_count": 120}) + "\n", "profiles",
     f"--kind profiles, but the file holds posts: 'create_time', 'video_description', 'like_count' are columns "
     f"only posts have, and {NOT_PROFILES}; import it with --kind posts, or without --kind"),
    # likes_count beside a column that says posts (caption): posts, both named
    ("likes.csv", "username,likes_count,caption\nann,3,hello\n", "profiles",
     f"--kind profiles, but the file holds posts: 'likes_count', 'caption' are columns only posts have, and "
     f"{NOT_PROFILES}; as "
     "posts it needs a 'created_at' column giving each post's date and an 'id' or 'url' column naming each post: "
     "add them, then import it with --kind posts, or without --kind"),
    # the other way round: each profile was stored as a post dated when the account was created
    ("creators.csv", "username,id,created_at,followers,bio\nann,123,2019-05-01,1200,vegan food\n", "posts",
     f"--kind posts, but the file holds profiles: 'followers', 'bio' are columns only profiles have, and "
     f"{NOT_POSTS}; import it with --kind profiles, or without --kind"),
    ("creators.csv", "Profile ID,Username,Followers,Bio\n123456,ann,1200,vegan food\n", "posts",
     f"--kind posts, but the file holds profiles: 'Followers', 'Bio' are columns only profiles have, and "
     f"{NOT_POSTS}; import it with --kind profiles, or without --kind"),
    ("creators.csv", "handle,followers\nbob,900\n", "posts",
     f"--kind posts, but the file holds profiles: 'handle', 'followers' are columns only profiles have, and "
     f"{NOT_POSTS}; import it with --kind profiles, or without --kind"),
    ("creators.csv", "followers,bio\n900,hi\n", "posts",
     f"--kind posts, but the file holds profiles: 'followers', 'bio' are columns only profiles have, and "
     f"{NOT_POSTS}; as profiles it needs a 'handle' or 'platform_id' column: add one, then import it with "
     "--kind profiles, or without --kind"),
])
def test_a_file_the_header_says_is_of_the_other_kind_is_refused_in_one_line(tmp_path, name, text, kind, message):
    (tmp_path / "ok.csv").write_text("handle,followers\nann,1200\n")
    assert run(tmp_path, "import", str(tmp_path / "ok.csv"), "--platform", "instagram").exit_code == 0
    before = counts(tmp_path / "scout.db")
    runs = rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM crawl_runs")[0]["n"]
    (tmp_path / name).write_text(text)
    # beside a good file: nothing of either is stored
    (tmp_path / "more.csv").write_text("profile,id,created_at\nann,p9,2026-11-29\n" if kind == "posts"
                                       else "handle,followers\ncat,50\n")
    result = run(tmp_path, "import", str(tmp_path / "more.csv"), str(tmp_path / name), "--platform", "instagram",
                 *(["--kind", kind] if kind != "auto" else []))
    assert (result.exit_code, result.stderr) == (2, f"Error: {tmp_path / name}: {message}\n")
    assert counts(tmp_path / "scout.db") == before
    assert rows(tmp_path / "scout.db", "SELECT count(*) AS n FROM crawl_runs")[0]["n"] == runs
    assert (tmp_path / name).read_text() == text


@pytest.mark.parametrize("header, line, kind, stored", [
    # a posts file naming its author username, with no column auto read as posts before: its
    # text, likes and date say posts; it was read as profiles, the post's id a profile's
    ("username,id,created_at,text,likes", "ann,p1,2026-11-28,hello,3", "auto", "posts"),
    ("username,id,created_at,text,likes", "ann,p1,2026-11-28,hello,3", "posts", "posts"),
    # columns both kinds have: --kind decides, and without it a list of accounts is profiles
    ("username,id,created_at,url", "ann,p1,2026-11-28,https://www.instagram.com/p/p1/", "posts", "posts"),
    ("username,id,created_at,url", "ann,123,2019-05-01,https://www.instagram.com/ann/", "profiles", "profiles"),
    ("username,id,created_at,url", "ann,123,2019-05-01,https://www.instagram.com/ann/", "auto", "profiles"),
    # a profiles export with a column auto takes for a post's author (its account manager):
    # --kind profiles is what it is for
    ("Handle,Followers,Owner", "ann,1200,Lisa", "profiles", "profiles"),
    # profile exports with a count only posts are imported with (TikTok's user info: likes_count,
    # every video's likes; a YouTube channel's views): still profiles, with --kind and without
    ("display_name,username,follower_count,following_count,likes_count,video_count,bio_description",
     "Ann,ann,1200,45,27155089,44,my bio", "profiles", "profiles"),
    ("display_name,username,follower_count,following_count,likes_count,video_count,bio_description",
     "Ann,ann,1200,45,27155089,44,my bio", "auto", "profiles"),
    ("channel_id,channel_title,subscribers,views,video_count", "UC1,Ann,1200,90000,44", "profiles", "profiles"),
    ("channel_id,channel_title,subscribers,views,video_count", "UC1,Ann,1200,90000,44", "auto", "profiles"),
    # a date, a count, a name or a description alone says no kind (a review: these were refused
    # with --kind, and auto read the first two as posts, every row bad: no way left to import them)
    ("username,url,date", "ann,https://www.tiktok.com/@ann,2026-11-28", "profiles", "profiles"),
    ("username,url,date", "ann,https://www.tiktok.com/@ann,2026-11-28", "auto", "profiles"),
    ("Username,Likes,Views", "ann,27155089,90000", "profiles", "profiles"),
    ("Username,Likes,Views", "ann,27155089,90000", "auto", "profiles"),
    # a videos export: a YouTube video's text is its "description", a name only profiles' columns have
    ("id,username,created_at,url,description", "v1,ann,2026-11-28,https://www.youtube.com/watch?v=v1,Gear: bit.ly/x",
     "posts", "posts"),
])
def test_kind_decides_where_the_header_does_not_say_the_other_kind(tmp_path, header, line, kind, stored):
    (tmp_path / "ok.csv").write_text("handle,followers\nann,1200\n")
    assert run(tmp_path, "import", str(tmp_path / "ok.csv"), "--platform", "instagram").exit_code == 0
    before = counts(tmp_path / "scout.db")
    (tmp_path / "f.csv").write_text(f"{header}\n{line}\n")
    result = run(tmp_path, "import", str(tmp_path / "f.csv"), "--platform", "instagram", "--json",
                 *(["--kind", kind] if kind != "auto" else []))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["profiles"], summary["posts"]) == ((1, 0) if stored == "profiles" else (0, 1))
    after = counts(tmp_path / "scout.db")
    assert after["posts"] == before["posts"] + (stored == "posts")


@pytest.mark.parametrize("author", ["user_id", "author_id", "User ID"])
@pytest.mark.parametrize("kind", ["auto", "posts"])
def test_a_posts_file_naming_its_author_by_user_id_holds_posts(tmp_path, author, kind):
    """A tweet export names each post's author by its id, `user_id` (X's API: `author_id`): it was
    read as profiles without --kind (user_id was a name only profiles have), each post stored as
    a profile under the post's id, and refused with --kind posts (no author column). A profiles
    file whose `user_id` is the account's own id stays profiles, with --kind and without."""
    (tmp_path / "users.csv").write_text("user_id,username,followers\n42,anna,300\n")
    assert run(tmp_path, "import", str(tmp_path / "users.csv"), "--platform", "instagram").exit_code == 0
    assert [(r["platform_id"], r["handle"]) for r in rows(tmp_path / "scout.db",
                                                          "SELECT platform_id, handle FROM profiles")] == [
        ("42", "anna")]
    (tmp_path / "tweets.csv").write_text(f"id,text,{author},created_at,likes\n111,hello #ad,42,2026-11-28,3\n"
                                         "112,a walk,42,2026-11-29,7\n")
    result = run(tmp_path, "import", str(tmp_path / "tweets.csv"), "--platform", "instagram", "--json",
                 *(["--kind", kind] if kind != "auto" else []))
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["profiles"], json.loads(result.stdout)["posts"]) == (0, 2)
    assert "not imported" not in result.stderr
    stored = rows(tmp_path / "scout.db", "SELECT p.platform_id, p.likes, a.handle FROM posts p "
                                         "JOIN profiles a ON a.id = p.profile_id ORDER BY p.platform_id")
    assert [(r["platform_id"], r["likes"], r["handle"]) for r in stored] == [("111", 3, "anna"), ("112", 7, "anna")]
    assert counts(tmp_path / "scout.db")["profiles"] == 1
    # user_id as the profile's own id: profiles, with --kind profiles and without
    (tmp_path / "more.csv").write_text("user_id,username,followers\n43,bob,90\n")
    again = run(tmp_path, "import", str(tmp_path / "more.csv"), "--platform", "instagram", "--json",
                *(["--kind", "profiles"] if kind != "auto" else []))
    assert again.exit_code == 0, again.output
    assert (json.loads(again.stdout)["profiles"], json.loads(again.stdout)["posts"]) == (1, 0)


def test_a_sparse_profiles_file_with_likes_count_imports_with_kind_profiles(tmp_path):
    """TikTok's user info names a creator's total likes likes_count, as posts files name a post's:
    `username,likes_count` counted as a file with a column only posts have and none only profiles
    have, refused with --kind profiles, which is there to say what the header cannot. It imports
    as profiles, likes_count named as not imported (no profile column holds it); without --kind
    too, as a count alone does not make a file posts."""
    (tmp_path / "users.csv").write_text("username,likes_count\nann,27155089\n")
    for kind in (("--kind", "profiles"), ()):
        result = run(tmp_path, "import", str(tmp_path / "users.csv"), "--platform", "tiktok", "--json", *kind)
        assert result.exit_code == 0, result.output
        assert (json.loads(result.stdout)["profiles"], json.loads(result.stdout)["posts"]) == (1, 0)
        assert f"{tmp_path / 'users.csv'}: columns not imported: likes_count" in result.stderr
        assert [r["handle"] for r in rows(tmp_path / "scout.db", "SELECT handle FROM profiles")] == ["ann"]


def test_a_newer_export_reads_no_stored_profile_whole(tmp_path, monkeypatch):
    """Only a file older than what is stored needs the stored row (to keep its newer values):
    reading every known profile whole (bio and all) for each batch made re-importing a 300,000-row
    export 20% slower in CPU than before (15.5 s → 18.7 s); a newer file reads last_seen alone."""
    from microscout.importers.store import Importer

    read: list[set[int]] = []
    whole = Importer._stored
    monkeypatch.setattr(Importer, "_stored", lambda self, ids: read.append(set(ids)) or whole(self, ids))
    (tmp_path / "nov.csv").write_text("handle,followers,bio,observed_at\nann,1200,Vegan,2026-11-01\n"
                                      "bob,900,Tofu,2026-11-01\n")
    (tmp_path / "dec.csv").write_text("handle,followers,bio,observed_at\nann,1300,Vegan,2026-12-01\n"
                                      "bob,950,Tofu,2026-12-01\n")
    for name in ("nov", "dec"):
        assert run(tmp_path, "import", str(tmp_path / f"{name}.csv"), "--platform", "instagram").exit_code == 0
    assert all(not ids for ids in read), read
    assert run(tmp_path, "import", str(tmp_path / "nov.csv"), "--platform", "instagram").exit_code == 0
    assert len(read[-1]) == 2  # an older file: both rows read, their newer values kept
    assert [r["followers"] for r in rows(tmp_path / "scout.db", "SELECT followers FROM profiles ORDER BY handle")] \
        == [1300, 950]


def test_an_excel_csv_with_its_separator_line_imports_as_check_reads_it(tmp_path):
    """European Excel's CSV starts with a `sep=;` line: `check` read it, `import` took 'sep='
    and '' for the columns and refused the file for having no handle column."""
    path = tmp_path / "excel.csv"
    path.write_bytes(b"sep=;\r\nhandle;followers;following;bio\r\nanna;15.000;300;Hi, all\r\nben;2.000;20;Yo\r\n")
    checked = run(tmp_path, "check", "accounts", str(path), "--json", "--quiet")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout.splitlines()[-1])["summary"]["rows"] == 2
    result = run(tmp_path, "import", str(path), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    stored = rows(tmp_path / "scout.db", "SELECT handle, followers, following, bio FROM profiles ORDER BY handle")
    assert [(r["handle"], r["followers"], r["following"], r["bio"]) for r in stored] == [
        ("anna", 15_000, 300, "Hi, all"), ("ben", 2_000, 20, "Yo")]
    bad = tmp_path / "bad.csv"  # its rows named by the lines an editor shows, the separator's counted
    bad.write_bytes(b"sep=;\r\nhandle;followers\r\ncleo;1\r\ndan;lots\r\n")
    result = run(tmp_path, "import", str(bad), "--platform", "instagram")
    assert result.exit_code == 1, result.output
    assert f"  {bad} line 4: column 'followers' holds 'lots'" in result.stderr


@pytest.mark.parametrize("between", [0, 600])  # the two rows in one batch of 500, and in two
def test_a_profile_listed_twice_keeps_the_earlier_rows_values_its_later_row_leaves_empty(tmp_path, between):
    """In one batch the later row replaced the earlier whole: anna's followers and bio, given
    on line 2 and left empty on line 4, were stored empty (her snapshot too), while rows in
    two batches kept them, as a later import keeps what a file leaves empty."""
    others = "".join(f"u{i},{i},\n" for i in range(between))
    (tmp_path / "creators.csv").write_text(f"handle,followers,bio\nanna,100,Vegan chef\nben,200,\n{others}anna,,\n")
    result = run(tmp_path, "import", str(tmp_path / "creators.csv"), "--platform", "instagram")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'creators.csv'} line {4 + between}: handle 'anna' again (first on line 2): the later " \
           "row's values are stored, its empty cells keeping the earlier row's" in result.stderr
    (anna,) = rows(tmp_path / "scout.db", "SELECT id, followers, bio FROM profiles WHERE handle = 'anna'")
    assert (anna["followers"], anna["bio"]) == (100, "Vegan chef")
    snapshots = rows(tmp_path / "scout.db", f"SELECT followers FROM profile_snapshots WHERE profile_id = {anna['id']}")
    assert [s["followers"] for s in snapshots] == [100]
    # a later non-empty cell still wins
    (tmp_path / "creators.csv").write_text("handle,followers,bio\ncleo,100,Old bio\ncleo,150,\n")
    assert run(tmp_path, "import", str(tmp_path / "creators.csv"), "--platform", "instagram").exit_code == 0
    (cleo,) = rows(tmp_path / "scout.db", "SELECT followers, bio FROM profiles WHERE handle = 'cleo'")
    assert (cleo["followers"], cleo["bio"]) == (150, "Old bio")


@pytest.mark.parametrize("text, again", [
    # the id column was the only one looked at: a row without an id was never compared
    ("id,handle,followers,bio\n123,anna,100,Vegan chef\n,anna,300,\n", "handle 'anna' again (first on line 2)"),
    # a profile URL is the handle it names, as the import stores it
    ("handle,followers\nhttps://www.instagram.com/anna/,100\nAnna,300\n", "handle 'anna' again (first on line 2)"),
])
def test_a_profile_listed_again_under_its_handle_or_url_is_said(tmp_path, text, again):
    (tmp_path / "creators.csv").write_text(text)
    result = run(tmp_path, "import", str(tmp_path / "creators.csv"), "--platform", "instagram", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["profiles"] == 1  # stored as one profile: never without a word
    assert f"{tmp_path / 'creators.csv'} line 3: {again}: the later row's values are stored" in result.stderr
    (anna,) = rows(tmp_path / "scout.db", "SELECT followers FROM profiles")
    assert anna["followers"] == 300


def test_a_jsonl_object_naming_one_column_twice_is_a_bad_row_as_a_csv_header_is_refused(tmp_path):
    """{"Followers": 100, "followers": 5}: the import read one of them and dropped the other
    without a word (5 stored), where a CSV header naming a column twice is refused."""
    (tmp_path / "creators.jsonl").write_text('{"handle": "anna", "Followers": 100, "followers": 5}\n'
                                             '{"handle": "ben", "followers": 7}\n')
    result = run(tmp_path, "import", str(tmp_path / "creators.jsonl"), "--platform", "instagram")
    assert result.exit_code == 1, result.output
    assert f"  {tmp_path / 'creators.jsonl'} line 1: the keys 'Followers' and 'followers' name one column (names " \
           "are read in any case, spaces as _); remove one" in result.stderr
    assert [(r["handle"], r["followers"]) for r in rows(tmp_path / "scout.db", "SELECT * FROM profiles")] == \
        [("ben", 7)]


def test_a_website_column_is_stored_as_the_profiles_website_and_its_contact(tmp_path):
    # A creator tool's export with the creators' websites: the contact a marketer is handed
    # when the bio has no email; a javascript: link is a bad row, never stored.
    (tmp_path / "creators.csv").write_text(
        "username,followers,bio,Website\n"
        "anna,5000,Vegan recipes,https://anna.example/\n"
        "ben,6000,Bakes,ben-bakes.com/shop\n"
        "cara,7000,Soups,javascript:alert(1)\n"
        "dan,8000,Stews,\n")
    result = run(tmp_path, "import", str(tmp_path / "creators.csv"), "--platform", "instagram")
    assert result.exit_code == 1, result.output
    assert "website 'javascript:alert(1)' is not an http(s) URL" in result.output + result.stderr
    db = tmp_path / "scout.db"
    stored = {r["handle"]: r["website"] for r in rows(db, "SELECT handle, website FROM profiles")}
    assert stored == {"anna": "https://anna.example/", "ben": "https://ben-bakes.com/shop", "dan": None}
    # an empty cell keeps what is stored; an import never clears a website
    (tmp_path / "again.csv").write_text("username,followers,website\nanna,5100,\n")
    assert run(tmp_path, "import", str(tmp_path / "again.csv"), "--platform", "instagram").exit_code == 0
    assert rows(db, "SELECT website FROM profiles WHERE handle = 'anna'")[0]["website"] == "https://anna.example/"


def test_a_row_of_separators_alone_wider_than_the_header_is_no_bad_row(tmp_path):
    # A review of b301800: Excel saves an emptied row as separators as wide as the cells once
    # used, wider than the header too; check skips such a row, the import called it a bad row
    # ("7 cells, but the header names 3 columns") and exited 1.
    path = tmp_path / "creators.csv"
    path.write_text("handle;followers;bio\r\nana;1.000;hi\r\n;;;;;;\r\nbob;12;yo\r\n;;\r\n")
    result = run(tmp_path, "import", str(path), "--platform", "mastodon")
    assert result.exit_code == 0, result.output
    assert counts(tmp_path / "scout.db")["profiles"] == 2
    # a row with a cell filled is still read, and refused when wider than the header
    path.write_text("handle;followers;bio\r\nana;1.000;hi\r\n;;;;;;x\r\n")
    result = run(tmp_path, "import", str(path), "--platform", "mastodon")
    assert result.exit_code == 1 and "line 3: 7 cells, but the header names 3 columns" in result.output
