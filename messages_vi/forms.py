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
    # 1+1 counts young people brought into the Union, the Association or their activities in one number
    "oneplusone.line.association": (
        "• “{text}”: biểu mẫu không có mục riêng cho thanh niên vào Hội. Số này đã nằm trong mục "
        "“Thanh niên được vận động” (vào Đoàn, vào Hội hoặc tham gia hoạt động của Đoàn, Hội); trợ lý "
        "không tự cộng vào mục nào, bạn kiểm tra lại số ở mục đó nhé."
    ),
    # --- the answers of last time, one tap ---------------------------------------------------------
    "meeting.o.as_before": "Như lần trước: {attended} đoàn viên, {mode}",
    "oneplusone.o.as_before": "Như {period}: {participants} đoàn viên",
    "form.as_before_none": "Chưa có báo cáo lần trước để lấy lại. Bạn gõ số nhé.",
}
