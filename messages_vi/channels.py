"""Sentences of the channels themselves: numbered menus where a messenger has no buttons."""

MESSAGES = {
    "numbered.line": "{number}. {label}",
    "numbered.hint": "👉 Trả lời bằng số thứ tự hoặc gõ chữ.",
    # A count is being asked: digits are the count, so the choices are picked by their words.
    "numbered.word_line": "• {label}",
    "numbered.words_hint": "👉 Gõ số để trả lời câu hỏi; muốn chọn mục khác thì gõ chữ (ví dụ: {example}).",
    "numbered.out_of_range": "Chỉ có các lựa chọn từ 1 đến {last}. Trả lời bằng một số trong khoảng đó, hoặc gõ chữ.",
}
