"""Sentences of "3 chủ động" (seed 004), by key (merged into messages_vi.t): the registration in
the chat, the follow-up and review by the level above, the digest's section, and the words of the
two documents (the plan and the recognition decision)."""

MESSAGES: dict[str, str] = {
    # --- the three parts, in the seed's words (004 section II and the plan's template) ----------
    "bcd.part.1": "Chủ động thực hiện công tác quản lý đoàn viên và chăm lo, nắm bắt tình hình thanh niên "
                  "ở địa phương, đơn vị",
    "bcd.part.2": "Chủ động xây dựng và thực hiện kế hoạch công tác",
    "bcd.part.3": "Chủ động tham mưu với cấp ủy, phối hợp với chính quyền, các đoàn thể và các tổ chức liên quan",
    "bcd.part_short.1": "quản lý đoàn viên, chăm lo thanh niên",
    "bcd.part_short.2": "kế hoạch công tác",
    "bcd.part_short.3": "tham mưu cấp ủy, phối hợp",
    "bcd.example.1": "Rà soát, lập danh sách đoàn viên, thanh thiếu nhi có hoàn cảnh khó khăn để giúp đỡ",
    "bcd.example.2": "100% chi đoàn sinh hoạt định kỳ hằng tháng, thực hiện chủ trương 1+1",
    "bcd.example.3": "Giới thiệu 02 đoàn viên ưu tú cho Đảng xem xét, kết nạp",
    "bcd.item_line": "{part}.{position}. {text}",

    # --- /bachudong ------------------------------------------------------------------------------
    "bcd.not_for_you": (
        "“3 chủ động” dành cho cán bộ Đoàn cơ sở (đăng ký kế hoạch) và cán bộ Đoàn cấp trên (theo dõi, "
        "đánh giá, công nhận). {unit} là cấp trên cơ sở nên không tự đăng ký, và dưới {unit} chưa có "
        "Đoàn cơ sở nào để theo dõi."
    ),
    "bcd.for_branches": (
        "“3 chủ động” là việc của Đoàn cơ sở: cán bộ Đoàn cơ sở đăng ký kế hoạch, Đoàn cấp trên theo dõi, "
        "đánh giá và công nhận. Chi đoàn cùng thực hiện các nội dung trong kế hoạch của Đoàn cơ sở."
    ),
    "bcd.bad_year": "«{text}» không phải một năm. Gõ ví dụ: /bachudong 2026",
    "bcd.names_more": "{names} và {count} đơn vị khác",
    "bcd.names_none": "—",

    # --- registering a plan -----------------------------------------------------------------------
    "bcd.plan.part_empty": (
        "{header}\n\nGõ từng nội dung cụ thể đơn vị đăng ký: mỗi tin nhắn một nội dung, hoặc nhiều dòng "
        "trong một tin. Ví dụ: «{example}».\nGõ «xong» khi đã đủ."
    ),
    "bcd.plan.part": "📝 Đăng ký xây dựng Đoàn cơ sở “3 chủ động” năm {year} — {unit}\nPhần {part}/3. {title}",
    "bcd.plan.part_items": (
        "{header}\n\nĐã có {count} nội dung:\n{items}\n\n"
        "Gõ thêm nội dung, «xoa 2» để bỏ nội dung 2, hoặc «xong» để {next}."
    ),
    "bcd.plan.next.part": "sang phần {part}",
    "bcd.plan.next.summary": "xem lại và gửi",
    "bcd.plan.added": "➕ Đã thêm {count} nội dung.",
    "bcd.plan.refused": "{added}Chưa thêm:\n{refused}",
    "bcd.refused.item_too_short": "• «{text}»: ngắn quá, chưa rõ là việc gì; gõ cụ thể hơn.",
    "bcd.refused.text_too_long": "• «{text}»: dài quá ({length} ký tự; tối đa {max_length}); gõ ngắn lại "
                                "hoặc tách thành nhiều dòng.",
    "bcd.refused.too_many": "• «{text}»: mỗi phần tối đa {most} nội dung; bỏ bớt («xoa 2») hoặc gộp lại.",
    "bcd.plan.need_one": "Mỗi phần cần ít nhất một nội dung cụ thể. Gõ nội dung đơn vị đăng ký cho phần này.",
    "bcd.plan.first_part": "Đây là phần đầu tiên rồi.",
    "bcd.plan.removed": "🗑 Đã bỏ nội dung {number}: «{text}».",
    "bcd.plan.remove_unknown": "Phần này không có nội dung số {number}.",
    "bcd.plan.no_items": "(chưa có nội dung)",
    "bcd.plan.summary_part": "{part}. {title}\n{items}",
    "bcd.plan.summary": (
        "📋 Kế hoạch đăng ký xây dựng Đoàn cơ sở “3 chủ động” năm {year} — {unit}\n{number}\n\n{parts}\n\n"
        "Kiểm tra lại rồi chọn «Gửi đăng ký». Gửi rồi vẫn sửa được cho đến khi {above} đánh giá."
    ),
    "bcd.plan.number_line": "Số văn bản: {number}",
    "bcd.plan.number_none": "Số văn bản: để trống (chọn «Số văn bản» để ghi)",
    "bcd.plan.summary_hint": (
        "Đang ở bước xem lại nên trợ lý không thêm gì. Chọn «Gửi đăng ký», hoặc «Sửa phần 1», «Sửa phần 2», "
        "«Sửa phần 3» (gõ «sua 2» cũng được)."
    ),
    "bcd.plan.ask_number": "Gõ số của văn bản kế hoạch (ví dụ 05, hoặc đầy đủ 05-KH/ĐTN), hoặc chọn «Để trống».",
    "bcd.number.bad": "«{text}» không giống số văn bản. Gõ số (ví dụ 05), hoặc chọn «Để trống».",
    "bcd.plan.resumed": "Bạn đang soạn dở kế hoạch năm {year} (sửa lần cuối {when}). Làm tiếp nhé:",
    "bcd.plan.gone": "Phần soạn kế hoạch này đã xong hoặc đã hủy. Gõ /bachudong để xem kế hoạch.",
    "bcd.plan.cancelled": "Đã bỏ phần đang soạn. Kế hoạch đã gửi (nếu có) vẫn giữ nguyên.",
    "bcd.plan.sent": (
        "✅ Đã gửi kế hoạch đăng ký “3 chủ động” năm {year} của {unit} lên {above}. Trợ lý thôi nhắc hạn "
        "đăng ký.\nTệp kế hoạch (Word) kèm theo để in, ký và lưu."
    ),
    "bcd.plan.corrected": "✅ Đã sửa kế hoạch “3 chủ động” năm {year} của {unit}. Tệp kế hoạch mới kèm theo.",
    # two officers of one unit typed a plan at once (domain/three_active/plan.py, `base`)
    "bcd.plan.overtaken": (
        "⚠️ Trong lúc bạn soạn, {who} đã gửi kế hoạch năm {year} của {unit} ({when}):\n\n{sent}\n\n"
        "Kế hoạch của bạn chưa gửi và vẫn được giữ dưới đây. Muốn thay kế hoạch đã gửi bằng kế hoạch "
        "này, chọn «Gửi đăng ký» lần nữa; muốn giữ kế hoạch đã gửi, chọn «Hủy»."
    ),
    "bcd.someone": "một cán bộ khác của đơn vị",
    "bcd.plan.locked": "Kế hoạch năm {year} của {unit} đã được Đoàn cấp trên đánh giá nên không sửa được nữa.",
    "bcd.plan.not_registering": "{unit} không đăng ký kế hoạch “3 chủ động” (chỉ Đoàn cơ sở có chi đoàn "
                                "trực thuộc mới đăng ký).",
    "bcd.plan.view": "📋 Kế hoạch “3 chủ động” năm {year} — {unit}\n{number}\nGửi ngày {sent}. {status}\n\n{parts}",
    "bcd.plan.status.waiting": "Chờ Đoàn cấp trên đánh giá; vẫn sửa được.",
    "bcd.plan.status.reviewing": "Đang được đánh giá: {reviewed}/{items} nội dung.",
    "bcd.plan.status.1": "🏅 Đã được công nhận Đoàn cơ sở “3 chủ động” ({achieved}/{items} nội dung đạt).",
    "bcd.plan.status.0": "Không được công nhận ({achieved}/{items} nội dung đạt).",
    "bcd.plan.this_year": "Kế hoạch năm {year}: {status}",
    "bcd.plan.caption": "📄 Kế hoạch đăng ký “3 chủ động” năm {year} — {unit}",

    # --- the level above: following, reviewing, deciding ----------------------------------------
    "bcd.follow.title": "🗂 Đoàn cơ sở “3 chủ động” — {unit}",
    "bcd.follow.registration": "📝 Đăng ký năm {year} (hạn {due}): {count}/{total} đơn vị đã đăng ký.",
    "bcd.follow.registered": "✅ Đã đăng ký: {names}",
    "bcd.follow.missing": "⏳ Chưa đăng ký: {names}",
    "bcd.follow.missing_late": "⚠️ Quá hạn, chưa đăng ký: {names}",
    "bcd.follow.confirmed_only": "📄 Đã báo nộp đăng ký nhưng chưa gửi kế hoạch qua trợ lý: {names}",
    "bcd.follow.nudged": "Trợ lý tự nhắc cán bộ các đơn vị chưa đăng ký, theo lịch hạn (/lich).",
    "bcd.follow.review": "🔎 Đánh giá năm {year}: {decided}/{total} kế hoạch đã có quyết định.",
    "bcd.follow.no_plans": "🔎 Đánh giá năm {year}: chưa đơn vị nào đăng ký kế hoạch năm {year}.",
    "bcd.follow.recognised": "🏅 Công nhận: {names}",
    "bcd.follow.not_recognised": "✖ Không công nhận: {names}",
    "bcd.follow.pending": "✍️ Chờ đánh giá: {names}",
    "bcd.follow.pending_name": "{unit} ({reviewed}/{items})",
    "bcd.follow.other_year": "Xem năm khác: gõ /bachudong và năm, ví dụ /bachudong {year}.",
    "bcd.list.title": "👀 Kế hoạch năm {year} đã đăng ký ({count}): chọn đơn vị để xem.",
    "bcd.list.none": "Chưa đơn vị nào đăng ký kế hoạch năm {year}.",
    "bcd.review.own": "Đơn vị không tự đánh giá kế hoạch của mình: việc này do Đoàn cấp trên làm.",
    "bcd.review.item": (
        "🔎 {unit} — “3 chủ động” năm {year}\nNội dung {index}/{count} · phần {part}: {part_title}\n\n"
        "{line}{current}\n\nĐạt hay chưa đạt?"
    ),
    "bcd.review.current": "\n(đang ghi: {mark})",
    "bcd.review.hint": "Chọn «Đạt» hoặc «Chưa đạt» (gõ «dat» hay «chua dat» cũng được), hoặc «Dừng» để làm tiếp sau.",
    "bcd.mark.1": "Đạt",
    "bcd.mark.0": "Chưa đạt",
    "bcd.sign.1": "✅",
    "bcd.sign.0": "❌",
    "bcd.sign.open": "▫️",
    "bcd.review.tally_line": "{mark} {line}",
    "bcd.review.tally": "📊 {unit} — “3 chủ động” năm {year}: {achieved}/{count} nội dung đạt.\n{lines}\n\n{question}",
    "bcd.review.ask_all": "Tất cả nội dung đều đạt. Công nhận {unit} đạt Đoàn cơ sở “3 chủ động” năm {year}?",
    "bcd.review.ask_some": "Còn {left} nội dung chưa đạt. Quyết định công nhận {unit} năm {year}?",
    "bcd.review.decided": "Đã quyết định: {decision}. Muốn đổi thì chọn bên dưới.",
    "bcd.decision.1": "công nhận",
    "bcd.decision.0": "không công nhận",
    "bcd.review.locked": "Kế hoạch này đã có quyết định nên không đánh giá lại từng nội dung được nữa.",
    "bcd.review.unfinished": "Còn {left} nội dung chưa đánh giá; đánh giá hết rồi mới quyết định được.",
    "bcd.review.paused": "⏸ Đã dừng. Các nội dung đã đánh giá được lưu; chọn «Đánh giá» để làm tiếp.",
    "bcd.review.done.1": "🏅 Đã ghi: công nhận {unit} đạt Đoàn cơ sở “3 chủ động” năm {year}.",
    "bcd.review.done.0": "Đã ghi: {unit} không được công nhận Đoàn cơ sở “3 chủ động” năm {year}.",
    "bcd.decision.none": "{unit} chưa công nhận đơn vị nào đạt “3 chủ động” năm {year}, nên chưa lập được quyết định.",
    "bcd.decision.ask_number": (
        "📄 Quyết định công nhận Đoàn cơ sở “3 chủ động” năm {year} của {unit}: {count} đơn vị được công nhận."
        "\nGõ số quyết định (ví dụ 15, hoặc đầy đủ 15-QĐ/ĐTN), hoặc chọn «Để trống»."
    ),
    "bcd.decision.cancelled": "Đã bỏ, chưa lập quyết định.",
    "bcd.decision.caption": "📄 Quyết định công nhận Đoàn cơ sở “3 chủ động” năm {year} — {unit} ({count} đơn vị)",

    # --- buttons ---------------------------------------------------------------------------------
    "bcd.menu": "🗂 3 chủ động",
    "bcd.button.done": "✅ Xong phần này",
    "bcd.button.undo": "↩️ Bỏ nội dung cuối",
    "bcd.button.back": "◀ Phần trước",
    "bcd.button.cancel": "✖ Hủy",
    "bcd.button.send": "📨 Gửi đăng ký",
    "bcd.button.edit": "✏️ Sửa phần {part}",
    "bcd.button.number": "🔢 Số văn bản",
    "bcd.button.no_number": "Để trống",
    "bcd.button.fix": "✏️ Sửa kế hoạch",
    "bcd.button.own": "📝 Kế hoạch của {unit}",
    "bcd.button.review": "✍️ Đánh giá: {unit}",
    "bcd.button.achieved": "✅ Đạt",
    "bcd.button.not_achieved": "❌ Chưa đạt",
    "bcd.button.pause": "⏸ Dừng",
    "bcd.button.recognise": "🏅 Công nhận",
    "bcd.button.not_recognise": "✖ Không công nhận",
    "bcd.button.redo": "🔁 Đánh giá lại từ đầu",
    "bcd.button.decision": "📄 Quyết định công nhận năm {year}",
    "bcd.button.follow": "🗂 Theo dõi “3 chủ động”",
    "bcd.button.plans": "👀 Xem kế hoạch năm {year}",
    "bcd.button.view": "👀 {unit}",

    # --- the digest (domain/three_active/digest.py) ----------------------------------------------
    "bcd.digest.title": "🗂 Đoàn cơ sở “3 chủ động”",
    "bcd.digest.registration": "📝 Đăng ký năm {year} (báo cáo lên trên trước {due}): {count}/{total} đơn vị "
                               "đã đăng ký.",
    "bcd.digest.registration_top": "📝 Đăng ký năm {year} (các đơn vị báo cáo về trước {due}): {count}/{total} "
                                   "đơn vị đã đăng ký.",
    "bcd.digest.missing": "⏳ Chưa đăng ký: {names}",
    "bcd.digest.no_plans": "🏅 Công nhận năm {year}: không đơn vị nào có kế hoạch năm {year}.",
    "bcd.digest.recognition": "🏅 Công nhận năm {year} (danh sách trước {due}): {count}/{total} đơn vị.",
    "bcd.digest.recognised": "   Công nhận: {names}",
    "bcd.digest.not_recognised": "   Không công nhận: {names}",
    "bcd.digest.pending": "   Chưa có kết quả: {names}",
    "bcd.xlsx.sheet": "3 chủ động",
    "bcd.xlsx.title": "Đoàn cơ sở “3 chủ động”: đăng ký năm {next_year}, công nhận năm {year}",
    "bcd.xlsx.col.unit": "Đơn vị",
    "bcd.xlsx.col.above": "Trực thuộc",
    "bcd.xlsx.col.registered_on": "Đăng ký năm {next_year}",
    "bcd.xlsx.col.items": "Số nội dung đăng ký",
    "bcd.xlsx.col.result": "Kết quả năm {year}",
    "bcd.xlsx.col.achieved": "Nội dung đạt năm {year}",
    "bcd.xlsx.missing": "Chưa đăng ký",
    "bcd.xlsx.result.none": "Không có kế hoạch",
    "bcd.xlsx.result.pending": "Chưa có kết quả",
    "bcd.xlsx.result.1": "Công nhận",
    "bcd.xlsx.result.0": "Không công nhận",

    # --- the two documents (the templates at the end of seed 004) --------------------------------
    "bcd.doc.union": "ĐOÀN TNCS HỒ CHÍ MINH",
    "bcd.doc.committee": "BCH {name}",
    "bcd.doc.committee_of": "BCH ĐOÀN {name}",
    "bcd.doc.stars": "***",
    "bcd.doc.rule": "-----",
    "bcd.doc.number": "Số: {number}",
    "bcd.doc.number_full": "{number}-{kind}/{symbol}",
    "bcd.doc.number_blank": "     -{kind}/{symbol}",
    "bcd.doc.place_date": "{place}, ngày {day} tháng {month} năm {year}",
    "bcd.doc.no_place": "…………",
    "bcd.doc.above_none": "Đoàn cấp trên",
    "bcd.doc.recipients": "Nơi nhận:",
    "bcd.doc.secretary": "BÍ THƯ",
    "bcd.doc.plan.title": "KẾ HOẠCH",
    "bcd.doc.plan.subject": "Đăng ký xây dựng Đoàn cơ sở “3 chủ động” năm {year}",
    "bcd.doc.plan.basis": (
        "Căn cứ Hướng dẫn xây dựng Đoàn cơ sở “3 chủ động” của {above}, Ban Chấp hành {unit} đăng ký xây "
        "dựng Đoàn cơ sở “3 chủ động” năm {year}, với nội dung cụ thể như sau:"
    ),
    "bcd.doc.plan.purpose": "I. MỤC ĐÍCH, YÊU CẦU",
    "bcd.doc.plan.purpose_lines": (
        "- Nâng cao chất lượng hoạt động của Đoàn cơ sở; phát huy tính chủ động của Ban Chấp hành Đoàn trong "
        "công tác Đoàn và phong trào thanh thiếu nhi ở địa phương, đơn vị.\n"
        "- Các nội dung đăng ký cụ thể, chi tiết trong từng nội dung “3 chủ động”, phù hợp với tình hình "
        "thực tế của đơn vị."
    ),
    "bcd.doc.plan.content": "II. NỘI DUNG ĐĂNG KÝ",
    "bcd.doc.plan.part": "{part}. {title}.",
    "bcd.doc.plan.organise": "III. TỔ CHỨC THỰC HIỆN",
    "bcd.doc.plan.organise_line": (
        "Ban Chấp hành {unit} triển khai thực hiện các nội dung đã đăng ký đến các chi đoàn trực thuộc; "
        "báo cáo kết quả thực hiện về {above} để kiểm tra, đánh giá."
    ),
    "bcd.doc.plan.on_behalf": "TM. BAN CHẤP HÀNH",
    "bcd.doc.plan.to_above": "- Ban Thường vụ {above};",
    "bcd.doc.plan.recipients": "- Các chi đoàn trực thuộc;\n- Lưu.",
    "bcd.doc.decision.title": "QUYẾT ĐỊNH",
    "bcd.doc.decision.subject": "V/v công nhận Đoàn cơ sở “3 chủ động” năm {year}",
    "bcd.doc.decision.board": "BAN THƯỜNG VỤ {unit}",
    "bcd.doc.decision.basis": (
        "Căn cứ Chương trình công tác Đoàn và phong trào thanh thiếu nhi năm {year};\n"
        "Căn cứ Hướng dẫn xây dựng Đoàn cơ sở “3 chủ động”;\n"
        "Xét đề nghị của các Đoàn cơ sở và kết quả kiểm tra, đánh giá các nội dung đã đăng ký,"
    ),
    "bcd.doc.decision.decides": "QUYẾT ĐỊNH:",
    "bcd.doc.decision.article1": (
        "Điều 1. Công nhận {count} Đoàn cơ sở đạt danh hiệu Đoàn cơ sở “3 chủ động” năm {year} "
        "(có danh sách kèm theo)."
    ),
    "bcd.doc.decision.article2": (
        "Điều 2. Văn phòng, Ủy ban Kiểm tra {unit} và các Đoàn cơ sở có tên tại Điều 1 chịu trách nhiệm thi "
        "hành quyết định này./."
    ),
    "bcd.doc.decision.on_behalf": "TM. BAN THƯỜNG VỤ",
    "bcd.doc.decision.to_above": "- Ban Thường vụ {above};",
    "bcd.doc.decision.recipients": "- Như Điều 2;\n- Lưu.",
    "bcd.doc.list.title": "DANH SÁCH",
    "bcd.doc.list.subject": "Đoàn cơ sở đạt danh hiệu Đoàn cơ sở “3 chủ động” năm {year}",
    "bcd.doc.list.attached": "(Kèm theo Quyết định số {number}, ngày {day} của Ban Thường vụ {unit})",
    "bcd.doc.list.col.number": "STT",
    "bcd.doc.list.col.unit": "Đoàn cơ sở",
    "bcd.doc.list.col.above": "Trực thuộc",
    "bcd.doc.list.col.result": "Nội dung đạt",
    "bcd.doc.list.result": "{achieved}/{items}",
}
