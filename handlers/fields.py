"""Which field of a form a refusal is about, read from its sentence: in the reader's
language, so each field's words in every offered language."""

from __future__ import annotations

#: A refusal of the Raise implementation issue form about the decision.
DECISION_WORDS = ("decision", "décision", "решени")

#: The words an error sentence uses for each field of the form, in every offered language
#: (the sentence is in the reader's language).
SCHEDULE_WORDS = (("duration", ("duration", "lasts", "durée", "dure", "продолжительн", "длит")),
                  ("venue", ("venue", "lieu", "мест")),
                  ("title", ("title", "titre", "назван")),
                  ("when", ("past", "ahead", "starts at", "passé", "à l'avance", "commence",
                            "прошл", "вперёд", "начинается", "начало")))


def schedule_error_block(text: str) -> str:
    """The field of the Schedule a meeting form an error sentence is about."""
    lowered = text.casefold()
    for block, words in SCHEDULE_WORDS:
        if any(word in lowered for word in words):
            return block
    return "body"
