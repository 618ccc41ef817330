"""The desktop's byte-pair tokenizer (ml/tokenizer/bpe-tokenizer.ts), encoding only: the bundle carries its
vocabulary and merges, so both sides split every text into the same ids."""

import hashlib
import json
import unicodedata

PADDING_ID, CLASSIFICATION_ID, SEPARATOR_ID, MASK_ID, UNKNOWN_ID = 0, 1, 2, 3, 4
SPECIAL_TOKENS = ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"]
END_OF_WORD = "</w>"

# ECMAScript's \s (what the desktop's pre-tokeniser splits on), which differs from str.isspace in a few places.
_JS_WHITESPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(code) for code in range(0x2000, 0x200B)
}


def _kind(character):
    category = unicodedata.category(character)
    if category.startswith("L"):
        return "letter"
    if category.startswith("N"):
        return "number"
    return "space" if character in _JS_WHITESPACE else "mark"


def pre_tokenize(text):
    """Lower-cased words, numbers and single punctuation marks, as /\\p{L}+|\\p{N}+|[^\\s\\p{L}\\p{N}]/gu."""
    words = []
    current, current_kind = "", None
    for character in unicodedata.normalize("NFKC", text).lower():
        kind = _kind(character)
        if kind in ("letter", "number") and kind == current_kind:
            current += character
            continue
        if current:
            words.append(current)
        current, current_kind = ("", None) if kind == "space" else (character, kind)
        if kind == "mark":
            words.append(current)
            current, current_kind = "", None
    if current:
        words.append(current)
    return words


def fingerprint(vocabulary, merges):
    # JSON.stringify's spelling: no spaces, non-ASCII characters as they are.
    text = json.dumps({"vocabulary": vocabulary, "merges": merges}, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class BpeTokenizer:
    def __init__(self, data):
        if data.get("format") != "unisight-bpe" or data.get("formatVersion") != 1:
            raise ValueError("not a Unisight tokenizer (format unisight-bpe, version 1)")
        self.vocabulary = data["vocabulary"]
        self.merges = [tuple(pair) for pair in data["merges"]]
        if fingerprint(self.vocabulary, [list(pair) for pair in self.merges]) != data["fingerprint"]:
            raise ValueError("the tokenizer is damaged: its fingerprint does not match its contents")
        if self.vocabulary[: len(SPECIAL_TOKENS)] != SPECIAL_TOKENS:
            raise ValueError("the tokenizer's first ids are not Unisight's special tokens")
        self.ids = {token: index for index, token in enumerate(self.vocabulary)}
        self.ranks = {pair: rank for rank, pair in enumerate(self.merges)}
        self._cache = {}

    def _encode_word(self, word):
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        symbols = list(word)
        symbols[-1] += END_OF_WORD
        while True:
            best_rank, best_position = None, -1
            for position in range(len(symbols) - 1):
                rank = self.ranks.get((symbols[position], symbols[position + 1]))
                if rank is not None and (best_rank is None or rank < best_rank):
                    best_rank, best_position = rank, position
            if best_position < 0:
                break
            symbols[best_position : best_position + 2] = [symbols[best_position] + symbols[best_position + 1]]
        encoded = [self.ids.get(symbol, UNKNOWN_ID) for symbol in symbols]
        if len(self._cache) < 100_000:
            self._cache[word] = encoded
        return encoded

    def tokenize(self, text):
        return [token for word in pre_tokenize(text) for token in self._encode_word(word)]

    def encode(self, text, length):
        """[CLS] text [SEP] then padding to `length`, the text cut before [SEP]; ids and a 0/1 mask."""
        content = self.tokenize(text)[: max(0, length - 2)]
        sequence = [CLASSIFICATION_ID, *content, SEPARATOR_ID]
        ids = sequence + [PADDING_ID] * (length - len(sequence))
        mask = [1.0] * len(sequence) + [0.0] * (length - len(sequence))
        return ids, mask
