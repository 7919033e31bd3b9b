"""What the per-post checks found, kept between runs of `smm check` for posts that did not change.

A post's findings depend on its file, on everything that is not a post (strategy, personas,
campaigns, schemas, voice rules, the platform table, smm itself and its libraries), on the
media files it names, and for a few rules (rules.ON_THE_DAY: posting windows, holidays, which
look ahead from today) on the day. So:

* the whole cache belongs to one *fingerprint* of everything but the posts, their media and
  the day; when any of it changes, the cache is dropped. Inputs only the rules across posts
  read (the rota, objectives, approvals, what personas say) and the handbook's chapters are not
  part of it (ACROSS_ONLY): a change to them runs the rules across posts again and nothing else;
* each post's entry holds the file's stat (size, modification and change times, inode) and a
  digest of its bytes, the stat and digest of each media file it names, its findings, the slim
  copy the rules across posts use, and apart what the rules.ON_THE_DAY found with the day they
  ran and the post's own day: on a later day it holds up to the post's day and is empty after
  (a post in the past has no window to keep and no holiday to avoid); on an earlier day those
  rules run again on the slim copies (parallel._daily_again). A post whose stats are as stored is taken as it is; one
  whose stat differs is hashed, and taken when its bytes (and its media's) are the ones stored:
  a fresh clone, a checkout that rewrote the file, or a cache folder restored in CI (see
  .github/workflows/check.yml) changes every stat and no content. Media files larger than
  DIGEST_LIMIT are known by their stat alone (hashing them costs more than checking the post);
* what the rules across posts found is kept too, with its day, and used again on that day when
  no post was added or removed and every post checked again has the slim copy it had (an edit of its copy or title
  changes nothing the rules across posts read); it is written out on its own, and read only
  when used. The slim copies are stored apart, as pickles inside the file in parts of PART_ROWS
  posts by path, and read only when the rules across posts run again: a run where nothing they
  read changed reads findings only, and one that checked a few posts again compares each one's
  slim copy with the stored one (their slim.across_key) reading the part that holds it. A
  run that checked some posts whose slim copies changed adds a pickle of those to the ones
  stored (see Store._parts), rather than pickling every post again;
* a file modified in the two seconds before the run started is not stored, nor is its stat
  trusted later: on a file system with coarse timestamps a later edit could leave its stat
  unchanged (git's "racy clean").

The cache lives outside the repository, in $SMM_CACHE_DIR, else $XDG_CACHE_HOME/smm, else
~/.cache/smm (a folder only its owner may open), one file per folder a repository is checked
in, named by that folder and the fingerprint. A folder without its own file starts from the
newest file of the same fingerprint (the same repository state elsewhere: another clone, a
worktree), whose entries its bytes then confirm. It is a pickle (the entries pickled apart,
the findings across posts in it written with marshal): smm reads only files it wrote in that
folder. A run in which the rules across posts run again starts writing it before they run (see
Store.save_ahead). The same folder
keeps the public holiday tables (holidaytables.py). `smm check --no-cache` and SMM_NO_CACHE=1
turn all of it off: such a run reads and writes nothing there. Deleting the folder is always safe.
"""
from __future__ import annotations

import gc
import marshal
import os
import pickle
import sys
import time
from contextlib import contextmanager
from functools import lru_cache
from itertools import starmap
from pathlib import Path

from . import __version__, prefetch
from .findings import FIELDS_OF, from_fields
from .loader import MAX_BYTES, digest, read_regular, stat_key
from .media import locate_in
from .pipes import read_exactly, write_all
from .slim import across_key, from_row
from .writing import replace_file

FORMAT = 15
RACY_NS = 2_000_000_000                  # files changed this close to the start of a run are not stored
DIGEST_LIMIT = 16 << 20                  # bytes: larger media files are known by their stat alone
PART_ROWS = 500                          # slim posts a part holds at most (Store._stored_row reads one)
MAX_ADDED = 15                           # parts later runs add to those of a whole write, at most
INPUT_FOLDERS = ("strategy", "personas", "content/campaigns", "schemas")
POSTS_FOLDER = "content/posts"           # where the posts are (repository.post_files)
LIBRARIES = ("PyYAML", "jsonschema", "jsonschema-rs", "regex", "holidays", "pillow")


# What the cache keeps of one file, its entry: how to tell it is unchanged, and what checking it
# found. An entry is a plain tuple of these fields, in this order: 10,000 of them pickle in 13 ms
# and read back in 9, against 26 and 14 as objects of a class of their own (each pickled as the
# tuple of its fields), and a first run makes one for every file.
ENTRY_FIELDS = (
    "stat",        # the file's stat_key; None: only the digest can tell the file is unchanged
    "media",       # ((path as written, stat or None, digest or None), ...) of the media it names
    "findings",    # what the per-post rules found (but the rules.ON_THE_DAY), each as its fields (stored())
    "daily",       # what the rules.ON_THE_DAY found, the same way
    "day",         # the day they found it (YYYY-MM-DD)
    "until",       # the post's own day (rules.last_day_ahead): `daily` holds up to it
    "is_post",     # False when the file did not load as a post
    "digest",      # of the file's bytes: Git's blob id of them (loader.digest); None: not read whole
)
STAT, MEDIA, FINDINGS, DAILY, DAY, UNTIL, IS_POST, DIGEST = range(len(ENTRY_FIELDS))


def stored(found: list) -> tuple:
    """Findings as an entry keeps them: each the tuple of its fields, which pickles in a quarter of
    the time a finding takes (a call of Finding.__reduce__ each: 30,000 findings of a first run
    with long copy pickled in 44 ms, in the child the check waits for at its end)."""
    return tuple(map(FIELDS_OF, found))


def findings_of(fields: tuple) -> list:
    """The findings an entry keeps (see stored)."""
    return list(starmap(from_fields, fields))


# What the rules across posts found is stored written out with marshal as plain values (a finding
# as the tuple of its fields), not pickled finding by finding: 11,800 findings (10,000 core-key
# posts) written in 6.4 instead of 17.3 ms of CPU, read in 12.2 instead of 13.8 (best of seven).
# The entries stay pickled: written out with marshal they took 34 against 40 ms to write but 36
# against 26 to read, and every run with the cache reads them. A finding holding a value marshal
# cannot write (of another type) leaves the cache unwritten.
def _findings_written(found: list) -> bytes:
    return marshal.dumps(stored(found))


def _findings_read(data: bytes) -> list:
    return findings_of(_unmarshalled(data))


def _unmarshalled(data: bytes):
    with collection_paused():
        return marshal.loads(data)


def stat_of(path) -> tuple | None:
    try:
        return stat_key(os.stat(path))
    except OSError:
        return None


def stamp_of(file: str, limit: int) -> tuple:
    """(stat, digest of the bytes) of a file, taken while it did not change: one that changed while
    it was read, or is missing or larger than `limit`, gets no digest."""
    stat = stat_of(file)
    if stat is None or stat[0] > limit:
        return stat, None
    digest = digest_of(file, limit)
    return stat, (digest if stat_of(file) == stat else None)


def digest_of(path, limit: int) -> bytes | None:
    """A digest of the file's bytes; None when it is missing, not a regular file or over `limit`."""
    try:
        raw, size = read_regular(path, limit)
    except OSError:
        return None
    return None if size > limit else digest(raw)


_TURNED_OFF = False


def turn_off() -> None:
    """`--no-cache`: this process (and the workers it forks) reads and writes no cache at all."""
    global _TURNED_OFF
    _TURNED_OFF = True


def folder() -> Path | None:
    chosen = None if _TURNED_OFF else prefetch.cache_folder(os.environ)
    return None if chosen is None else Path(chosen)


class Store:
    """The cache of one repository for one run: read at the start, written at the end."""

    def __init__(self, root: Path, file: Path, fingerprint: str):
        self.root, self.file, self.fingerprint = root, file, fingerprint
        self.started_ns = time.time_ns()
        self.entries: dict[str, tuple] = {}      # relpath -> entry (ENTRY_FIELDS), as stored
        self.fresh: dict[str, tuple] = {}        # the same, for this run: taken from them, or kept (keep)
        self.rows: dict[str, tuple] = {}         # the slim copies (slim.row_of) of the posts kept in this run
        self.across_kept: bytes | None = None    # what the rules across posts found, for these entries, written out
        self.earlier_kept: bytes | None = None   # the same, found on an earlier day (carried_over)
        self._across: list | None = None         # the same, once read (Store.across)
        self.post_parts: list = []               # the slim posts, pickled in parts (_pickled_part): read on demand
        self.parts_read: dict = {}               # the same, unpickled: part number -> {relpath: row}
        self.stored_rows: dict = {}              # every slim post stored, once read (_read_posts)
        self.posts_read = False
        self.restamped = False                   # an entry's stats were brought up to date: save it
        self.base = str(root)
        self.stamps: dict[str, tuple] = {}           # media files hashed in this run: path -> (path, stat, digest)
        self.day: str = ""                           # today, as rules.ON_THE_DAY see it
        self.across_print: str = ""                  # of what the rules across posts read (fingerprints)
        self.later = None                            # what keeps the posts checked in this run, run by save()
        self.git_blobs: dict | None = None           # the posts' blob ids Git vouches for (_vouched), once asked
        self._vouching = None                        # Git being asked about them (ask_git_ahead)

    @classmethod
    def open(cls, repo, today) -> Store | None:
        """The cache of this repository (one file per folder it is in and fingerprint), else that
        of the same repository state checked in another folder (a second clone, a worktree, a CI
        runner whose workspace moved): its entries hold for this one, once their bytes match.
        What the rules across posts found holds only on the day it was found (`today`), and as
        long as nothing they read changed (the fingerprints of cache.fingerprints)."""
        where = folder()
        if where is None:
            return None
        printed, store_across = fingerprints(repo)
        store = cls(repo.root, where / f"{prefetch.folder_key(str(repo.root))}{printed[:24]}.pickle", printed)
        store.day, store.across_print = today.isoformat(), store_across
        for file in (store.file, _twin(where, printed, store.file)):
            saved = _read(file) if file is not None else {}
            if saved.get("fingerprint") == printed:
                store.entries, store.across_kept, store.post_parts = saved["entries"], saved["across"], saved["posts"]
                if saved.get("day") != store.day or saved.get("across_print") != store_across:
                    if saved.get("across_print") == store_across and str(saved.get("day")) < store.day:
                        store.earlier_kept = store.across_kept     # an earlier day's: see carried_over
                    store.across_kept = None     # never equal to what they find now: save() writes again
                break
        store.ask_git_ahead()
        return store

    def daily_today(self, entry: tuple) -> list | None:
        """What the rules.ON_THE_DAY find today about an entry's post, from what they found on an
        earlier day: the same up to the post's own day, nothing after it. None on a day before the
        one they ran on: they must run again."""
        _, _, _, daily, day, until, is_post, _ = entry
        if day == self.day or not is_post:
            return findings_of(daily)
        if day is None or self.day < day:
            return None
        return findings_of(daily) if until is not None and self.day <= until else []

    def slim_posts(self, relpaths) -> list:
        """The slim posts of entries taken in this run (read from the cache now)."""
        return [from_row(row) for row in map(self._taken_row, relpaths) if row is not None]

    def hold_today(self, relpath: str, daily: list, until) -> None:
        """What the rules.ON_THE_DAY found today about the post of a taken entry: kept for today."""
        taken = self.fresh[relpath]
        entry = taken[:DAILY] + (stored(daily), self.day, _iso(until)) + taken[IS_POST:]
        self.fresh[relpath] = self.entries[relpath] = entry       # still the entry taken (unchanged)
        self.restamped = True

    def taken_posts(self) -> list:
        """The slim posts of the entries this run took from the cache (read from it now)."""
        return self.slim_posts(self.taken())

    def taken(self) -> list[str]:
        """The files whose entries this run took from the cache (not checked again)."""
        entries = self.entries
        return [relpath for relpath, entry in self.fresh.items() if entry is entries.get(relpath)]

    def _taken_row(self, relpath: str) -> tuple | None:
        """The stored slim copy of the post of an entry this run took (all are read now)."""
        self._read_posts()
        return self.stored_rows.get(relpath) if self.fresh[relpath][IS_POST] else None

    def _read_posts(self) -> None:
        if self.posts_read:
            return
        self.posts_read = True
        for number in range(len(self.post_parts)):     # in the order written: a post's newest copy wins
            self.stored_rows.update(self._part(number))

    def _part(self, number: int) -> dict:
        """The slim posts (relpath -> row) of the stored part `number`, unpickled once."""
        if number not in self.parts_read:
            try:
                rows = _unpickled(self.post_parts[number][3])
            except Exception:                    # cannot happen with write_atomically; never fail the check
                rows = {}
            self.parts_read[number] = rows if isinstance(rows, dict) else {}
        return self.parts_read[number]

    def _stored_row(self, relpath: str) -> tuple | None:
        """The slim copy of a post as stored: from the newest part whose paths hold it. A run that
        compares a few posts' slim copies with the stored ones (an edit of copy in a pull request)
        unpickles a part of PART_ROWS posts for each, not every post."""
        if self.posts_read:
            return self.stored_rows.get(relpath)
        for number in range(len(self.post_parts) - 1, -1, -1):
            _, first, last, _ = self.post_parts[number]
            if first <= relpath <= last and relpath in self._part(number):
                return self.parts_read[number][relpath]
        return None

    def post_paths(self) -> list[str]:
        return [relpath for relpath, entry in self.fresh.items() if entry[IS_POST]]

    def unchanged(self) -> bool:
        """True when every post of this run came from the cache, and no post was added or removed."""
        return self.fresh.keys() == self.entries.keys() and all(self.fresh[k] is self.entries[k] for k in self.fresh)

    def across_posts(self) -> list | None:
        """What the rules across posts found in the run that stored the cache, if it still holds:
        the same posts, each with the slim copy it had (which is all those rules read)."""
        return self.across if self._posts_as_stored() else None

    def _posts_as_stored(self) -> bool:
        """Whether this run has the posts the cache was stored with, each with the slim copy it had
        (all the rules across posts read of them)."""
        return self.later is None and self.fresh.keys() == self.entries.keys() and \
            all(map(self._same_slim_copy, self.fresh))

    def carried_over(self, posts, zone, today, rule_ids) -> list | None:
        """What the rules `rule_ids` (rules.CARRIED) found in the run that stored the cache on an
        earlier day, as it holds today: its findings about the posts that go out today or later,
        when the posts are the same, each with the slim copy it had, and what the rules across
        posts read besides is as it was (the fingerprint). Else None: they run again."""
        if self.earlier_kept is None or not self._posts_as_stored():
            return None
        try:
            found = _findings_read(self.earlier_kept)
        except Exception:                        # cannot happen with write_atomically; never fail the check
            return None
        ahead = {post.path for post in posts if post.publish_at and post.publish_at.astimezone(zone).date() >= today}
        return [finding for finding in found if finding.rule in rule_ids and finding.path in ahead]

    @property
    def across(self) -> list | None:
        """What the rules across posts found in the run that stored the cache. Stored on their own
        (_findings_written) and read when first asked: a run in which they run again (a post moved) never
        reads the 11,800 findings a year of densely planned posts gives."""
        if self.across_kept is not None:
            try:
                self._across = _findings_read(self.across_kept)
            except Exception:                    # cannot happen with write_atomically; never fail the check
                self._across = None
            self.across_kept = None
        return self._across

    def _same_slim_copy(self, relpath: str) -> bool:
        """Whether the post at `relpath` has in this run the slim copy stored (slim.across_key tells,
        worked out here for the posts checked again only: a first run works out none)."""
        entry, stored = self.fresh[relpath], self.entries[relpath]
        if entry is stored:
            return True
        if not (entry[IS_POST] and stored[IS_POST]):
            return entry[IS_POST] == stored[IS_POST]
        row, before = self.rows.get(relpath), self._stored_row(relpath)
        return row is not None and before is not None and across_key(row) == across_key(before)

    def take(self, relpath: str, stat: tuple | None, file: str) -> tuple | None:
        """The entry for a post (at `file`, with `stat`) whose file and media hold what they held
        when it was stored."""
        entry = self.entries.get(relpath)
        if entry is None or stat is None:
            return None
        vouched = []
        file_stat = self._still(stat, entry[STAT], entry[DIGEST],
                                lambda: self._digest_now(relpath, file, entry[DIGEST], vouched))
        if file_stat is _CHANGED:
            return None
        if vouched and file_stat is not None and file_stat[2] >= self.started_ns - RACY_NS:
            file_stat = None      # changed since Git looked, perhaps (its ctime says so): not to be trusted later
        media = self._media_still(entry[MEDIA])
        if media is None:
            return None
        if (file_stat, media) != entry[:FINDINGS]:
            entry = self.entries[relpath] = (file_stat, media) + entry[FINDINGS:]     # still the entry taken
            self.restamped = True
        self.fresh[relpath] = entry
        return entry

    def _digest_now(self, relpath: str, file: str, digest: bytes | None, vouched: list) -> bytes | None:
        """The digest of the bytes the post's file holds now: the stored one when Git vouches that
        they are the bytes whose blob id was stored (a fresh clone: gitindex.py; `vouched` then gets
        True), else read and hashed."""
        if digest is not None and self._vouched().get(relpath) == digest.hex():
            vouched.append(True)
            return digest
        return digest_of(file, MAX_BYTES)

    def _vouched(self) -> dict:
        """Path -> blob id of the posts Git vouches for: asked once, when a post's stat first differs
        (if ask_git_ahead did not ask already)."""
        if self.git_blobs is None:
            from .gitindex import Vouching
            self.git_blobs = (self._vouching or Vouching(self.root, POSTS_FOLDER)).blobs()
            self._vouching = None
        return self.git_blobs

    def ask_git_ahead(self) -> None:
        """Ask Git about the posts now, in the background, when the first stored post's file has
        another stat than stored, as every file has in a fresh clone: the answer comes while this
        process lists the posts. One stat in a run where nothing moved."""
        for relpath, entry in self.entries.items():
            if entry[IS_POST]:
                if stat_of(self.at(relpath)) != entry[STAT]:
                    from .gitindex import Vouching
                    self._vouching = Vouching(self.root, POSTS_FOLDER)
                return

    def done_taking(self) -> None:
        """Every post file was offered to take(): Git's answer, if asked ahead and never needed, is
        not waited for."""
        if self._vouching is not None:
            self._vouching.close()
            self._vouching = None

    def _media_still(self, media: tuple) -> tuple | None:
        """The media stamps to store for a post whose media files hold what they held, else None."""
        out = []
        for path, stored, digest in media:
            now = self._still(stat_of(self.at(path)), stored, digest, lambda: self._stamped(path)[2])
            if now is _CHANGED:
                return None
            out.append((path, now, digest))
        return tuple(out)

    def _still(self, now: tuple | None, stored: tuple | None, digest: bytes | None, hashed):
        """The stat to store for a file that holds what it held (`stored` when it still holds),
        else _CHANGED. A differing stat is settled by the digest: `hashed()` reads and hashes it."""
        if now == stored:
            return stored
        if now is None or digest is None or (stored is not None and now[0] != stored[0]):
            return _CHANGED
        if hashed() != digest:
            return _CHANGED
        return None if self._racy(now) else now      # a stat this fresh is not to be trusted later

    def _stamped(self, path: str) -> tuple:
        """(path, stat, digest) of a media file as this run finds it, once per run (posts share media).
        A path that leads outside the repository is known by its stat alone: smm reads no file there."""
        if path not in self.stamps:
            file = locate_in(self.root, path).file
            stamp = stamp_of(str(file), DIGEST_LIMIT) if file is not None else (stat_of(self.at(path)), None)
            self.stamps[path] = (path, *stamp)
        return self.stamps[path]

    def at(self, relpath: str) -> str:
        return os.path.join(self.base, relpath)        # not pathlib: this runs for every post

    def _racy(self, stat: tuple) -> bool:
        return stat[1] >= self.started_ns - RACY_NS

    def keep(self, relpath: str, stamp: tuple | None, media_paths, findings, daily, until, row: tuple | None) -> None:
        """Store what was found for a file checked in this run (what the rules.ON_THE_DAY found in
        `daily`, today, holding `until` the post's own day), with its `stamp` (loader.read_text:
        its stat as it was opened and the bytes the findings come from, or their span in what was
        read ahead; None when it was not read whole) and its post's `row` (None: not a post). The
        entry keeps the digest of those bytes, so a later run that finds them may take the
        findings whatever happened to the file since; the stat only spares it the reading, and is
        not stored when it may still change unseen (see _racy). The bytes are digested here, not
        as they are read: on a first run that is in the child that saves the cache
        (Store.save_ahead), while this process runs the rules across posts."""
        media = tuple(map(self._stamped, media_paths)) if media_paths else ()
        if stamp is None or self._racy(stamp[0]) or (media and any(self._racy(s) for _, s, _ in media if s)):
            return
        raw = stamp[1] if type(stamp[1]) is bytes else prefetch.ahead(stamp[1])    # else a span read ahead
        if raw is None:                     # the bytes read ahead, no longer held: keep nothing
            return
        self.fresh[relpath] = (stamp[0], media, stored(findings), stored(daily), self.day, _iso(until),
                               row is not None, digest(raw))
        if row is not None:
            self.rows[relpath] = row

    def _parts(self) -> list:
        """The slim posts to store: the parts stored before, as they are, and parts for the posts
        checked in this run (reading them, a post's newest copy wins). Pickling only those is what
        keeps a run that checked one post from pickling them all again; once the parts hold more
        than twice as many posts as there are, or later runs added more than MAX_ADDED parts to
        those of a whole write, they are all written again."""
        checked = {relpath: row for relpath, row in self.rows.items()
                   if not (relpath in self.entries and self._same_slim_copy(relpath))}
        parts = self.post_parts + _pickled_parts(checked)
        posts = sum(1 for entry in self.fresh.values() if entry[IS_POST])
        if len(parts) <= -(-posts // PART_ROWS) + MAX_ADDED and sum(part[0] for part in parts) <= 2 * posts:
            return parts
        self._read_posts()
        rows = {relpath: self._taken_row(relpath) for relpath in self.taken()}
        rows.update(self.rows)
        return _pickled_parts({relpath: row for relpath, row in rows.items() if row is not None})

    def save(self, across: list) -> None:
        """Write the entries of this run (taken and kept) and what the rules across posts found;
        never fails the check."""
        if self._to_write(across):
            self._write(across)

    def _to_write(self, across: list) -> bool:
        """Whether this run has anything to write: posts checked with nothing stored (their entries
        left to the save), other posts checked, new stats, other findings across posts."""
        return self.later is not None or self.restamped or not (self.unchanged() and self.across == across)

    def _write(self, across: list) -> None:
        entries = self._entries_written()
        try:
            found = _findings_written(across)
        except ValueError:                  # a value marshal cannot write: keep the cache as it was
            return
        self._dump(entries, found, self._parts())

    def _entries_written(self) -> bytes:
        """The entries of this run pickled (those of the posts checked made first, when left to the save)."""
        if self.later is not None:
            keep, self.later = self.later, None
            keep()
        return pickle.dumps(self.fresh, protocol=pickle.HIGHEST_PROTOCOL)

    def _dump(self, entries: bytes, found: bytes, posts: list) -> None:
        payload = {"fingerprint": self.fingerprint, "day": self.day, "across_print": self.across_print,
                   "entries": entries, "across": found, "posts": posts}
        write_atomically(self.file, lambda handle: pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL))
        _forget_older(self.file)

    def save_apart(self, across: list):
        """save(across) in a forked child while this process goes on (the report), on the core the
        workers have left; returns what waits for the child, which the command calls before it
        ends. Where the system cannot fork, or another thread runs (forking it is not safe), it
        saves here and now, and returns None."""
        if not self._to_write(across):
            return None
        if not _may_fork():
            self._write(across)
            return None
        pid = os.fork()
        if pid == 0:                        # the child: write, and end without running anything else
            try:
                self._write(across)
            finally:
                os._exit(0)
        return lambda: _reaped(pid)

    def save_ahead(self):
        """Start save_apart before the rules across posts run, as they do when this run cannot take
        what they found from the cache (across_posts() is None): it then writes the cache whatever
        they find (posts checked, another day). A forked child makes and pickles the entries and
        slim posts (three quarters of its work: 0.15 s of a first run of 10,000 posts) while this
        process runs those rules and reports, and writes the file once handed what they found.
        Returns give(across), which hands it over and returns what waits for the child (give(None):
        the rules failed, nothing is written). None where the system has no fork or no memfd_create
        (the anonymous file that carries the findings over), or another thread runs: save_apart then."""
        if not _may_fork() or not hasattr(os, "memfd_create"):
            return None
        carrier = os.memfd_create("smm-across", getattr(os, "MFD_CLOEXEC", 0))
        told, tell = os.pipe()
        pid = os.fork()
        if pid == 0:                        # the child: write once told, end without running anything else
            try:
                os.close(tell)
                self._write_when_told(told, carrier)
            finally:
                os._exit(0)
        os.close(told)
        return lambda across: _handed_over(across, carrier, tell, pid)

    def _write_when_told(self, told: int, carrier: int) -> None:
        entries, posts = self._entries_written(), self._parts()
        size = read_exactly(told, 8)
        if len(size) == 8:                  # else the parent ended or gave up: keep the cache as it was
            os.lseek(carrier, 0, os.SEEK_SET)         # the parent's writing moved the offset both share
            found = bytes(read_exactly(carrier, int.from_bytes(size, "big")))
            self._dump(entries, found, posts)


def _may_fork() -> bool:
    """Whether this process may fork a child that runs Python (not when another thread runs)."""
    threads = sys.modules.get("threading")
    return hasattr(os, "fork") and (threads is None or threads.active_count() == 1)


def _handed_over(across: list | None, carrier: int, tell: int, pid: int):
    """What the rules across posts found, given to the child of Store.save_ahead: written out into the
    anonymous file, and its size told through the pipe (a write of 8 bytes never waits on the child)."""
    try:
        if across is not None:
            found = _findings_written(across)
            write_all(carrier, found)
            os.write(tell, len(found).to_bytes(8, "big"))
    except (ValueError, OSError):           # a value marshal cannot write, no memory: the child writes nothing
        pass
    finally:
        os.close(tell)
        os.close(carrier)
    return lambda: _reaped(pid)


def _reaped(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:               # reaped already
        pass


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


def _pickled_parts(rows: dict) -> list:
    """Slim posts (relpath -> row) pickled in parts of PART_ROWS, in the order of their paths."""
    paths = sorted(rows)
    return [_pickled_part({relpath: rows[relpath] for relpath in paths[at:at + PART_ROWS]})
            for at in range(0, len(paths), PART_ROWS)]


def _pickled_part(rows: dict) -> tuple[int, str, str, bytes]:
    """A stored part of slim posts given in the order of their paths: (how many, the first path, the
    last path, the posts pickled as their rows, slim.py: read back in half the time of the posts)."""
    return len(rows), next(iter(rows)), next(reversed(rows)), pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)


def _forget_older(file: Path) -> None:
    """Delete the caches of the same folder for other fingerprints (other days, other inputs)."""
    own = file.name.split("-")[0]
    try:
        for older in [*file.parent.glob(f"{own}-*.pickle"), file.parent / f"{own}.pickle"]:
            if older != file:
                older.unlink(missing_ok=True)
    except OSError:                          # another run deleting them too, or no folder: no matter
        pass


def _read(file: Path) -> dict:
    data = read_own(file)                    # not written by us: never unpickle it
    try:
        saved = _unpickled(data) if data else {}
        if isinstance(saved, dict) and "entries" in saved:
            saved["entries"] = _unpickled(saved["entries"])      # pickled apart (Store._entries_written)
    except Exception:                        # truncated or from another version
        return {}
    return saved if isinstance(saved, dict) else {}


def _twin(where: Path, printed: str, own: Path) -> Path | None:
    """The newest cache of the same fingerprint written for another folder, if any."""
    try:
        twins = [(file.stat().st_mtime_ns, file) for file in where.glob(f"*-{printed[:24]}.pickle") if file != own]
    except OSError:
        return None
    return max(twins)[1] if twins else None


_CHANGED = object()


@contextmanager
def collection_paused():
    """The cyclic garbage collector off while building many small objects that form no cycles (it
    would walk them all, often), and back on after, if it was on before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unpickled(data: bytes):
    with collection_paused():
        return pickle.loads(data)


def read_own(file: Path, limit: int | None = None) -> bytes | None:
    """The bytes of a file in the cache folder, when this user wrote it (smm reads nothing another
    user put there) and it is at most `limit` bytes; else None."""
    try:
        with open(file, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_uid != os.getuid() or (limit is not None and info.st_size > limit):
                return None
            return handle.read()
    except OSError:                          # missing or unreadable
        return None


def write_atomically(file: Path, write) -> None:
    """Write `file` in the cache folder through `write(binary handle)`, all or nothing (writing.py);
    never fails the command: a read-only home, a full disk or an object that cannot be stored
    leaves the cache as it was, and the next run works it out again."""
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_file(file, write, private=True)
    except Exception:
        return


def fingerprints(repo) -> tuple[str, str]:
    """(a digest of everything a post's findings depend on besides the post, its media and the
    day; one of everything the rules across posts depend on besides the posts and the day), for
    the repository `repo` loaded without its posts."""
    root = repo.root
    posts, across = prefetch.sha256(), prefetch.sha256()
    for part in (FORMAT, __version__, sys.version, _libraries(), package_print(Path(__file__).resolve().parent)):
        posts.update(f"{part}\0".encode())
        across.update(f"{part}\0".encode())
    for relpath in _files(root, INPUT_FOLDERS) + [".vale.ini"]:
        named = _named(root / relpath, relpath)
        across.update(named)
        if not across_only(relpath):
            posts.update(named)
    posts.update(repr(_stand_ins(repo)).encode("utf-8", "surrogatepass"))
    return posts.hexdigest(), across.hexdigest()


def package_print(package: Path) -> str:
    """A digest of smm's own files (its code and data), by their names and bytes, worked out once
    and taken into both fingerprints (it went into each apart: 460 kB hashed twice). By bytes, not
    by modification times: CI installs smm from a fresh checkout on every run, which gives each
    file a new time, and the cache it restores must still hold."""
    printed = prefetch.sha256()
    for relpath in _files(package, ("",)):
        printed.update(_named(package / relpath, relpath))
    return printed.hexdigest()


def _stand_ins(repo) -> tuple:
    """What the per-post rules read of the inputs in ACROSS_ONLY: the people's handles (a post's
    authors name them), the personas there are and those that failed their schema (a post's
    personas name them)."""
    handles = sorted(str(person.get("handle")) for person in repo.strategy.people if isinstance(person, dict))
    invalid = sorted(slug for kind, slug in repo.invalid if kind == "persona")
    return handles, sorted(repo.personas), invalid


# Inputs no per-post rule reads but for a few facts (_stand_ins, which stand for them in the posts'
# fingerprint): a change to them keeps what the cache holds of every post, and runs again only
# the rules across posts, which read them (coverage the rota, campaign references the objectives
# and personas, approval roles the approvals). The handbook's chapters (strategy/*.md) only the
# site reads. tests/test_cache.py holds the per-post rules to this.
ACROSS_ONLY = ("strategy/objectives.yaml", "strategy/approvals.yaml", "strategy/team.yaml", "personas/")


def across_only(relpath: str) -> bool:
    posix = relpath.replace(os.sep, "/")
    parts = posix.split("/")
    return posix.startswith(ACROSS_ONLY) or (len(parts) == 2 and parts[0] == "strategy" and parts[1].endswith(".md"))


def _named(file: Path, relpath: str) -> bytes:
    """A file's name and bytes, as a digest takes them (its size when too large, a mark when missing)."""
    try:
        raw, size = read_regular(file, MAX_BYTES)
        content = raw if size <= MAX_BYTES else f"\2{size}".encode()
    except OSError:                          # missing, or not a regular file (a FIFO would block)
        content = b"\1missing"
    return relpath.encode("utf-8", "surrogatepass") + b"\0" + str(len(content)).encode() + b"\0" + content


def _files(base: Path, folders) -> list[str]:
    found = []
    for name in folders:
        for dirpath, dirnames, filenames in os.walk(base / name):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            found += [os.path.relpath(os.path.join(dirpath, f), base) for f in sorted(filenames)
                      if not f.endswith(".pyc")]
    return found


def _libraries() -> str:
    return ",".join(dist_infos(LIBRARIES))


def dist_infos(libraries) -> list[str]:
    """The dist-info folders of the installed `libraries`, which name their versions (one directory
    listing per path entry; importlib.metadata takes fifty times longer)."""
    wanted = {name.lower().replace("-", "_") for name in libraries}
    return sorted(n for n in _installed(tuple(sys.path)) if n.split("-", 1)[0].lower() in wanted)


@lru_cache(maxsize=4)
def _installed(path: tuple) -> tuple:
    """The dist-info folders on the path entries `path`, listed once per process: the cache's
    fingerprint and the holiday tables (the package's version, its tables' file) each ask."""
    found = []
    for entry in path:
        try:
            found += [n for n in os.listdir(entry or ".") if n.endswith(".dist-info")]
        except OSError:
            continue
    return tuple(found)
