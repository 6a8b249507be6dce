"""How threads, posts and thread lists read on every platform (anonymity-safe: authors come pre-labelled)."""

from __future__ import annotations

import logging

from core.features.discussions.common import Scope, short
from core.replies import Button, Reply
from core.repositories.community import PostRow, ThreadRow
from core.router import command_button_action

logger = logging.getLogger(__name__)

PAGE_SIZE = 5
PLATFORM_NAMES = {"discord": "Discord", "telegram": "Telegram"}


def pages(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages `total` items fill (at least one)."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int = PAGE_SIZE) -> int:
    """A page number within 1..last."""
    return min(max(1, page), pages(total, size))


def thread_tags(thread: ThreadRow) -> str:
    """ "TCS · #question" style context of a thread."""
    parts = [part for part in (thread.company, f"#{thread.topic}" if thread.topic else None) if part]
    return " · ".join(parts)


def thread_list(scope: Scope, threads: list[ThreadRow], page: int, total: int) -> Reply:
    """A page of threads with open buttons, prev/next and "new thread"."""
    new_button = Button("➕ New thread", command_button_action("newthread", scope.token))
    if not threads:
        text = f"No discussions about {scope.label} yet. Start the first one!"
        return Reply(text=text, buttons=((new_button,),))
    last = pages(total)
    lines = [f"**Discussions: {scope.label}** (page {page} of {last}; {total} in all, latest activity first)"]
    buttons: list[tuple[Button, ...]] = []
    for thread in threads:
        solved = "✅ " if thread.status == "resolved" else ""
        replies = max(thread.posts - 1, 0)
        tags = (
            thread_tags(thread) if scope.company_id is None else (f"#{thread.topic}" if thread.topic else "")
        )
        context = f" · {tags}" if tags else ""
        lines.append(
            f"#{thread.id} {solved}{short(thread.title, 90)} — {thread.author}, "
            f"{replies} repl{'y' if replies == 1 else 'ies'}{context}"
        )
        buttons.append(
            (
                Button(
                    f"💬 #{thread.id} {short(thread.title, 28)}",
                    command_button_action("thread", str(thread.id)),
                ),
            )
        )
    nav = []
    if page > 1:
        nav.append(Button("◀ Prev", command_button_action("discuss", f"{scope.token} {page - 1}")))
    if page < last:
        nav.append(Button("Next ▶", command_button_action("discuss", f"{scope.token} {page + 1}")))
    if nav:
        buttons.append(tuple(nav))
    buttons.append((new_button,))
    lines.append("Open one with /thread <id>, or start a new one.")
    return Reply(text="\n".join(lines), buttons=tuple(buttons))


def post_line(post: PostRow) -> str:
    """One post as shown inside a thread."""
    if post.status == "hidden":
        return f"[{post.id}] (hidden while moderators review reports)"
    via = f" via {PLATFORM_NAMES[post.platform]}" if post.platform in PLATFORM_NAMES else ""
    helpful = f" · 👍 {post.helpful_count}" if post.helpful_count else ""
    return f"[{post.id}] **{post.author}**{via}, {post.created_at:%d %b}{helpful}:\n{post.body}"


def thread_view(
    thread: ThreadRow,
    posts: list[PostRow],
    page: int,
    total: int,
    *,
    first_post_id: int | None,
    can_solve: bool,
    can_promote: bool,
) -> Reply:
    """A page of a thread's posts with vote/report buttons per reply, paging and actions."""
    status = {"resolved": " ✅ resolved", "pending": " ⏳ waiting for a moderator"}.get(thread.status, "")
    tags = thread_tags(thread)
    first = (page - 1) * PAGE_SIZE + 1
    header = [
        f"**#{thread.id} {thread.title}**" + (f" ({tags})" if tags else "") + status,
        f"Started by {thread.author}. Posts {first}–{first + len(posts) - 1} of {total}:",
    ]
    lines: list[str] = []
    buttons: list[tuple[Button, ...]] = []
    for post in posts:
        lines.append(post_line(post))
        if post.status != "visible":
            continue
        row = [Button(f"🚩 {post.id}", command_button_action("flag", str(post.id)))]
        if post.id != first_post_id:
            row.insert(0, Button(f"👍 {post.id}", command_button_action("upvote", str(post.id))))
        buttons.append(tuple(row))
    nav = []
    if page > 1:
        nav.append(Button("◀ Older", command_button_action("thread", f"{thread.id} {page - 1}")))
    if page < pages(total):
        nav.append(Button("Newer ▶", command_button_action("thread", f"{thread.id} {page + 1}")))
    if nav:
        buttons.append(tuple(nav))
    actions = []
    if thread.status in ("open", "resolved"):
        actions.append(Button("💬 Reply", command_button_action("reply", str(thread.id))))
    if can_solve:
        actions.append(Button("✅ Mark solved", command_button_action("solve", str(thread.id))))
    if can_promote:
        actions.append(Button("📌 Promote to FAQ", command_button_action("promote", str(thread.id))))
    if actions:
        buttons.append(tuple(actions))
    footer = f"👍 marks a reply helpful, 🚩 reports a post. Reply with /reply {thread.id} <text>."
    text = "\n".join(header) + "\n\n" + "\n\n".join(lines) + "\n\n" + footer
    return Reply(text=text, buttons=tuple(buttons))
