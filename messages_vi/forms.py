"""Sentences of the forms' comforts: a whole report read from one message, and the answers of
last time offered again."""

MESSAGES = {
    # --- a whole report in one message (domain/forms/one_line.py) --------------------------------
    # said above the next question or the summary; {notes}: the lines below, one per remark
    "form.line.read": "Trợ lý đã đọc tin nhắn của bạn. Lưu ý:\n{notes}",
    "form.line.unknown": "• Chưa hiểu: {parts} — phần này chưa được ghi.",
    "form.line.not_taken": "• “{text}”: {reason}",
    "form.line.twice": "• {label}: bạn ghi {values}; trợ lý chưa biết lấy giá trị nào nên sẽ hỏi lại.",
    "form.line.period": "• “{text}”: không có kỳ này để chọn (chỉ có: {choices}){within}. Bạn chọn kỳ ở câu hỏi bên dưới.",
    "form.line.within": "; {period} thuộc {option}",
    # a note named in a line typed after the first question: written only where it is picked
    "form.line.note_later": (
        "• “{text}”: {label} chưa được ghi. Muốn ghi, ở bản tóm tắt bạn chọn “Thêm {label}” rồi gửi lại nhé."
    ),
    # the same, typed while a form of the same kind waits half-answered
    "form.line.while_open": (
        "Bạn đang điền dở {title}.{so_far}\nTin nhắn vừa rồi là một báo cáo mới? Muốn bỏ biểu mẫu đang điền, "
        "gõ “huy” rồi gửi lại tin nhắn đó. Hoặc trả lời tiếp câu hỏi:"
    ),
    # the same, a whole report of another form
    "form.line.other_form": (
        "Bạn đang điền dở {title}.{so_far}\nTin nhắn vừa rồi là {other}? Muốn gửi báo cáo đó, gõ “huy” để bỏ "
        "biểu mẫu đang điền rồi gửi lại tin nhắn. Hoặc trả lời tiếp câu hỏi:"
    ),
    # 1+1 counts young people brought into the Union, the Association or their activities in one number
    "oneplusone.line.association": (
        "• “{text}”: biểu mẫu không có mục riêng cho thanh niên vào Hội. Số này đã nằm trong mục "
        "“Thanh niên được vận động” (vào Đoàn, vào Hội hoặc tham gia hoạt động của Đoàn, Hội); trợ lý "
        "không tự cộng vào mục nào, bạn kiểm tra lại số ở mục đó nhé."
    ),
    # a correction saved after its report's period closed (it closed while the form stood open)
    "form.locked": (
        "Kỳ của báo cáo này đã khóa sổ trong lúc bạn đang sửa, nên bản sửa không được lưu; {title} đã gửi "
        "vẫn giữ như cũ. Cần điều chỉnh, bạn báo đơn vị cấp trên nhé."
    ),
    # --- the answers of last time, one tap ---------------------------------------------------------
    "meeting.o.as_before": "Như lần trước: {attended} đoàn viên, {mode}",
    "oneplusone.o.as_before": "Như {period}: {participants} đoàn viên",
    "form.as_before_none": "Chưa có báo cáo lần trước để lấy lại. Bạn gõ số nhé.",
    # a day before the branch was founded (its `founded` date in the units' list)
    "parse.date_before_founded": (
        "Chi đoàn được thành lập ngày {founded}, nên không báo cáo được buổi trước ngày đó. Bạn xem lại ngày nhé."
    ),
    # a choice computed from the day (a 1+1 period) picked once the day moved past it
    "form.option_gone": "Lựa chọn đó không còn nữa vì đã sang kỳ mới. Bạn chọn lại nhé:",
    # --- a 1+1 report sent again for a closed period already reported: one report per period -------
    "oneplusone.in_words": (
        "1+1 {period}: {participants} tham gia, {youth} thanh niên, {new} kết nạp, {party} giới thiệu Đảng"
    ),
    "oneplusone.duplicate.locked": (
        "Chi đoàn đã gửi báo cáo cho kỳ này rồi: {report}. Kỳ này đã khóa sổ nên báo cáo đó không "
        "sửa được nữa, và mỗi kỳ chỉ có một báo cáo. Muốn báo cáo cho kỳ khác, bạn về bản tóm tắt rồi "
        "chọn Sửa; hoặc chọn Hủy."
    ),
}
