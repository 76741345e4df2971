"""Reading single messages (no server): the cases the poll relies on."""

from __future__ import annotations

from email.message import EmailMessage

from slack_coc.mail.parse import html_to_text, parse_message
from slack_coc.services.letters import find_case_tag, tag_subject


def test_forwarded_as_attachment_keeps_the_inner_text_and_is_flagged() -> None:
    outer = EmailMessage()
    outer["From"], outer["Subject"] = "Local Rep <rep@meetup.org>", "For your records"
    outer["Message-ID"] = "<o@meetup.org>"
    outer.set_content("We dealt with this at the meetup.")
    inner = EmailMessage()
    inner["From"], inner["Subject"] = "someone@example.net", "what happened"
    inner.set_content("The original account INNERTEXT.")
    outer.add_attachment(inner)
    parsed = parse_message(outer.as_bytes())
    assert parsed.forwarded
    assert "INNERTEXT" in parsed.body and "We dealt with this" in parsed.body
    [attached] = parsed.attachments
    assert attached.content_type == "message/rfc822" and b"INNERTEXT" in attached.data
    assert any("already handled?" in n for n in parsed.notes)


def test_unknown_charset_falls_back_with_a_note() -> None:
    raw = (
        b"From: a@example.net\r\nMessage-ID: <c@example.net>\r\n"
        b"Content-Type: text/plain; charset=x-made-up\r\n\r\nna\xefve text\r\n"
    )
    parsed = parse_message(raw)
    assert "naïve text" in parsed.body
    assert any("x-made-up" in n for n in parsed.notes)


def test_garbage_still_gives_a_result() -> None:
    parsed = parse_message(b"\x00\xff\xfe not an email at all \r\n\r\n\r\n")
    assert parsed.from_addr is None
    assert any("sender" in n for n in parsed.notes)
    assert any("Message-ID" in n for n in parsed.notes)


def test_threading_headers() -> None:
    raw = (
        b"From: a@example.net\r\nMessage-ID: <r@example.net>\r\n"
        b"In-Reply-To: <ours@example.org>\r\nReferences: <first@example.net> <ours@example.org>\r\n"
        b"\r\nhi\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.thread_ids == ["<ours@example.org>", "<first@example.net>"]


def test_html_to_text_drops_markup_and_scripts() -> None:
    html = "<style>p{}</style><h1>Title</h1><p>One&nbsp;&amp; two</p><br><ul><li>a</li></ul>"
    assert html_to_text(html) == "Title\n\nOne\xa0& two\n\n- a"


def test_subject_tags() -> None:
    assert tag_subject("Re: [CoC #4] [coc #4] thanks", 4) == "[CoC #4] Re: thanks"
    assert find_case_tag("RE: [CoC #12] hello") == 12
    assert find_case_tag("no tag") is None
