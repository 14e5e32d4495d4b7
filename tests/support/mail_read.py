#!/usr/bin/python3
"""mail_read.py - reads a message as a mail reader would (Python's email
package, RFC 5322/2047/2045) and prints what it found as JSON: the decoded
subject, From, To, Date, Message-ID, the content type of the whole, and the
decoded text/plain and text/html parts. Used by smtp_sink.py and the tests.
"""
import email
import email.policy
import json
import sys


def read(data):
    m = email.message_from_bytes(data, policy=email.policy.default)
    plain = m.get_body(preferencelist=("plain",))
    html = m.get_body(preferencelist=("html",))
    return {
        "subject": str(m["subject"]) if m["subject"] is not None else None,
        "from": str(m["from"]) if m["from"] is not None else None,
        "to": str(m["to"]) if m["to"] is not None else None,
        "date": str(m["date"]) if m["date"] is not None else None,
        "message_id": str(m["message-id"]) if m["message-id"] is not None else None,
        "content_type": m.get_content_type(),
        "text": plain.get_content() if plain is not None else None,
        "html": html.get_content() if html is not None else None,
        "defects": len(m.defects),
    }


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        print(json.dumps(read(f.read()), ensure_ascii=False))
