"""Every sentence a person reads, by key. Placeholders are named: {unit}, {members}, ..."""

MESSAGES: dict[str, str] = {
    # --- people the bot does not know ------------------------------------------------------
    "stranger": (
        "Xin chào! Trợ lý này chỉ dành cho Bí thư chi đoàn và cán bộ Đoàn đã được mời.\n"
        "Nếu bạn là Bí thư chi đoàn, hãy xin đơn vị cấp trên của chi đoàn (Đoàn xã, phường hoặc Đoàn cơ sở) "
        "một liên kết mời rồi bấm vào đó (trên Zalo: gõ mã mời vào đây)."
    ),
    "start.bad_code": (
        "Liên kết mời hoặc mã mời này không dùng được (có thể gõ nhầm, đã hết hạn, đã được dùng hoặc "
        "đã bị thu hồi).\nHãy kiểm tra lại mã, hoặc xin đơn vị cấp trên một mã mới."
    ),
    # --- joining -------------------------------------------------------------------------
    # {who}: messages_vi.role_in, "Bí thư Chi đoàn ấp Tân Đông", never "Bí thư chi đoàn Chi đoàn ..."
    "start.welcome.secretary": "Chào mừng {who} ({chain})!",
    "start.welcome.deputy": (
        "Chào mừng bạn đến với {unit} ({chain})! Chi đoàn đã có Bí thư dùng trợ lý nên bạn tham gia "
        "với vai trò Phó Bí thư, và báo cáo được như Bí thư."
    ),
    "start.welcome.officer": "Chào mừng {who}! Bạn theo dõi được {count} chi đoàn trực thuộc.",
    "start.moved": "Vai trò cũ của bạn ở {unit} đã kết thúc.",
    "start.again": "Bạn đã tham gia {unit} rồi.",
    "help.branch": (
        "Trợ lý giúp bạn:\n"
        "• báo cáo buổi sinh hoạt chi đoàn hoặc họp BCH — /sinhhoat\n"
        "• báo cáo kết quả 1+1 và phát triển đoàn viên — /motcongmot\n"
        "• xem và sửa các báo cáo đã gửi — /baocao\n"
        "• xem thông tin chi đoàn, cập nhật số đoàn viên — /chidoan\n"
        "• xem các hạn nộp sắp tới, báo đã nộp — /lich\n"
        "• xem tổng hợp của chi đoàn — /tonghop\n"
        "• xem lịch sử hoạt động: sinh hoạt 12 tháng, 1+1, đoàn viên mới, ảnh — /lichsu\n"
        "Trợ lý sẽ nhắc bạn trước mỗi hạn nộp. Cứ chọn bên dưới; gõ không dấu cũng được. "
        "Đang điền dở thì gõ /huy để bỏ."
    ),
    "help.officer": (
        "Trợ lý giúp bạn:\n"
        "• tổng hợp sinh hoạt, 1+1, ai trễ hạn, kèm biểu đồ — /tonghop, hoặc kèm kỳ: /tonghop thang 11, "
        "/tonghop quy 4 (bản tổng hợp hằng tuần trợ lý tự gửi: {weekly}; đổi ngày hay tắt trong /tonghop)\n"
        "• xuất tệp Excel để gửi lên trên — /xuat\n"
        "• các hạn nộp sắp tới và số chi đoàn còn trễ — /lich\n"
        "• đơn vị nào chưa nộp một việc, nhắc tất cả hoặc từng đơn vị — /chuanop\n"
        "• lịch sử hoạt động của một chi đoàn — /lichsu\n"
        "• Đoàn cơ sở “3 chủ động”: đăng ký kế hoạch; theo dõi, đánh giá, công nhận đơn vị cấp dưới — /bachudong\n"
        "• xem thông tin từng chi đoàn trực thuộc — /chidoan\n"
        "• xem bạn là ai, theo dõi những đơn vị nào — /toi\n"
        "Chọn một việc bên dưới để bắt đầu."
    ),
    "help.no_form": "Bạn muốn làm gì? Chọn một việc bên dưới nhé.",
    "menu.meeting": "📝 Báo cáo sinh hoạt",
    "menu.oneplusone": "🤝 Báo cáo 1+1",
    "menu.reports": "📋 Báo cáo đã gửi",
    "menu.card": "🏠 Chi đoàn",
    "menu.units": "🏢 Các chi đoàn",
    "menu.me": "👤 Tôi là ai",
    "menu.deadlines": "📅 Lịch nộp",
    "menu.home": "☰ Menu",
    # --- command menu (set_my_commands) ----------------------------------------------------
    "cmd.sinhhoat": "Báo cáo buổi sinh hoạt / họp BCH",
    "cmd.motcongmot": "Báo cáo 1+1 và phát triển đoàn viên",
    "cmd.baocao": "Xem, sửa báo cáo đã gửi",
    "cmd.chidoan": "Thông tin chi đoàn",
    "cmd.toi": "Tôi là ai",
    "cmd.huy": "Bỏ biểu mẫu đang điền",
    "cmd.lich": "Hạn nộp sắp tới",
    "cmd.trogiup": "Hướng dẫn",
    "cmd.lichsu": "Lịch sử hoạt động của chi đoàn",
    "cmd.chuanop": "Ai chưa nộp báo cáo, nhắc đơn vị",
    "cmd.bachudong": "Đăng ký, đánh giá “3 chủ động”",
    # --- who am I ------------------------------------------------------------------------
    "role.secretary": "Bí thư chi đoàn",
    "role.deputy": "Phó Bí thư chi đoàn",
    "role.officer": "Cán bộ Đoàn",
    # a role with its unit (messages_vi.role_in)
    "role.in.secretary": "Bí thư {unit}",
    "role.in.deputy": "Phó Bí thư {unit}",
    "role.in.officer": "cán bộ {unit}",
    "role.branch_word": "chi đoàn {unit}",     # a branch whose name does not begin with "Chi đoàn"
    "me.branch": "Bạn là {who}.\nTrực thuộc: {chain}.",
    "me.officer": "Bạn là {who}.\nĐơn vị trực thuộc ({count} chi đoàn):\n{children}",
    "me.child": "• {name}: {branches} chi đoàn",
    "me.child_branch": "• {name}",
    "me.none_below": "(chưa có đơn vị nào)",
    # --- branch card ---------------------------------------------------------------------
    "card.text": (
        "🏠 {unit}\n"
        "Trực thuộc: {chain}\n"
        "Số đoàn viên: {members}\n"
        "Bí thư: {secretary}\n"
        "Phó Bí thư: {deputies}\n"
        "Chi đoàn xã biên giới: {border}\n"
        "Báo cáo gần nhất: {last_report}"
    ),
    "card.yes": "có",
    "card.no": "không",
    "card.nobody": "chưa có",
    "card.never": "chưa có báo cáo nào",
    "card.unreachable": "{name} (đã chặn trợ lý)",
    "card.button.members": "✏️ Cập nhật số đoàn viên",
    "card.button.history": "📈 Biến động đoàn viên",
    "card.button.remove": "Gỡ {name}",
    "card.button.up": "⬆️ {name}",
    "card.history.title": "Biến động số đoàn viên của {unit} từ đầu năm {year}:",
    "card.history.line": "• {when}: {old} → {new} ({reason}{note}) — {who}",
    "card.history.none": "Từ đầu năm {year}, số đoàn viên của {unit} chưa thay đổi.",
    "card.history.import": "nhập từ danh sách",
    "card.history.by_import": "đơn vị cấp trên",
    "card.confirm_remove": "Gỡ {name} khỏi vai trò {who}? Lịch sử báo cáo của chi đoàn vẫn được giữ nguyên.",
    "card.button.remove_yes": "Gỡ",
    "card.button.remove_no": "Thôi",
    "card.removed": "Đã gỡ {name} khỏi {unit}.",
    "card.promoted": "{name} đang là Bí thư mới của chi đoàn.",
    "card.remove_gone": "Người này không còn giữ vai trò đó nữa.",
    "card.remove_self": "Bạn không thể tự gỡ chính mình. Muốn thôi vai trò, hãy nhờ cán bộ đơn vị cấp trên.",
    "card.remove_refused": (
        "Không gỡ được {name}: chỉ cán bộ của đơn vị cấp trên chi đoàn mới gỡ được Bí thư hoặc Phó Bí thư chi đoàn."
    ),
    "units.pick": "{unit} — chọn đơn vị:",
    "units.page": "Trang {page}/{pages}",
    "units.next": "Trang sau ▶",
    "units.prev": "◀ Trang trước",
    # --- forms, whatever the form -------------------------------------------------------------
    "form.button.cancel": "✖ Hủy",
    "form.button.back": "↩ Quay lại",
    "form.button.skip": "Bỏ qua",
    "form.button.save": "✅ Lưu",
    "form.button.edit": "✏️ Sửa",
    "form.button.yes_keep": "Đúng, giữ số này",
    "form.button.no_retype": "Không, nhập lại",
    "form.button.to_summary": "↩ Về bản tóm tắt",
    "form.button.add": "📝 Thêm {label}",
    "form.button.yes": "Có",
    "form.button.no": "Không",
    "form.button.correct_old": "✏️ Sửa báo cáo đã gửi",
    "form.button.keep_both": "➕ Giữ cả hai",
    "form.summary_title": "{title} — {unit}",
    "form.summary_line": "• {label}: {value}",
    "form.summary_footer": "Chọn Lưu để gửi, Sửa để đổi một mục, Hủy để bỏ.",
    "form.summary_extra": "Muốn ghi {label}, chọn “Thêm {label}”.",
    "form.summary_hint": "Chọn Lưu, Sửa hoặc Hủy.",
    "form.summary_unknown": "Trợ lý chưa hiểu “{text}”. Muốn đổi một mục, chọn Sửa; muốn gửi, chọn Lưu.",
    # what typed at the summary (or beside an answer) changed: "Đã ghi hình thức: Trực tuyến."
    "form.set": "Đã ghi {items}.",
    "form.set_item": "{label}: {value}",
    "form.year_assumed": " (không ghi năm, trợ lý hiểu là năm {year})",
    "form.which": "Bạn vừa gõ “{text}”. Ghi vào mục nào?",
    "form.duplicate.open": (
        "Chi đoàn đã gửi báo cáo cho buổi này rồi: {report}.\n"
        "Báo cáo bạn vừa điền là để sửa báo cáo đó, hay là một buổi khác trong cùng ngày?"
    ),
    "form.duplicate.locked": (
        "Chi đoàn đã gửi báo cáo cho buổi này rồi: {report}. Báo cáo đó đã khóa nên không sửa được nữa.\n"
        "Vẫn lưu báo cáo bạn vừa điền, như một buổi khác trong cùng ngày?"
    ),
    "form.duplicate_hint": "Bạn chọn một trong các lựa chọn bên dưới nhé.",
    "form.reopened": "Bạn đang điền dở {title}; những gì đã trả lời vẫn được giữ nguyên.{so_far}\nTiếp tục từ chỗ đang dừng:",
    "form.so_far": "Đã ghi:",
    "form.pick_edit": "Bạn muốn sửa mục nào?",
    "form.pick_edit_hint": "Chọn mục cần sửa trong danh sách bên dưới.",
    "form.no_answer": "(không có)",
    "form.yes": "có",
    "form.no": "không",
    "form.other": "Trợ lý chỉ đọc được chữ và các lựa chọn. Bạn trả lời câu hỏi này nhé:",
    "form.other.edited": "Tin nhắn đã sửa không làm đổi câu trả lời đã ghi. Muốn đổi, hãy chọn Sửa ở bản tóm tắt. Câu hỏi hiện tại:",
    "form.button_old": "Nút đó thuộc một bước đã qua. Câu hỏi hiện tại:",
    "form.cannot_skip": "Câu này cần trả lời, không bỏ qua được.",
    "form.cannot_go_back": "Đây là câu đầu tiên rồi.",
    "form.enter_again": "Vậy bạn nhập lại nhé.",
    "form.cancelled": "Đã hủy {title}. Không có gì được lưu.",
    "form.gone": "Biểu mẫu này đã kết thúc rồi; không có gì thay đổi.",
    "form.expired": "Biểu mẫu {title} bạn bắt đầu ngày {started} đã quá {days} ngày không điền tiếp nên đã được bỏ. Bạn có thể làm lại từ đầu.",
    "form.open_other": "Bạn đang điền dở {title}. Bỏ biểu mẫu đó để làm {new}?",
    "form.button.keep_old": "Điền tiếp {title}",
    "form.button.drop_old": "Bỏ, làm {new}",
    "form.open_same": "Bạn đang điền dở một {title} khác. Bỏ biểu mẫu đó để sửa báo cáo đã chọn?",
    "form.button.drop_for_fix": "Bỏ, sửa báo cáo đã chọn",
    "form.nothing_open": "Bạn không có biểu mẫu nào đang điền dở.",
    # a form open while the bot was upgraded: carried onto the form's new definition
    "form.updated.redo": "Biểu mẫu bạn đang điền vừa được cập nhật. Vui lòng trả lời lại: {items}.",
    "form.updated": ("Biểu mẫu bạn đang điền vừa được cập nhật nên câu hỏi đã thay đổi. Những câu bạn "
                     "đã trả lời vẫn được giữ; bạn tiếp tục bên dưới nhé."),
    "form.updated.restart": ("Biểu mẫu bạn đang điền vừa được cập nhật và các câu trả lời cũ không dùng "
                             "được nữa, nên biểu mẫu bắt đầu lại từ đầu. Xin lỗi bạn vì sự bất tiện này."),
    "form.missing": "Còn thiếu câu trả lời: {items}. Bạn trả lời nốt rồi lưu nhé.",
    # a form removed from the bot while someone had it open
    "form.removed": ("Biểu mẫu {title} bạn đang điền dở không còn được dùng nữa nên đã được bỏ; không có "
                     "gì được lưu. Bạn chọn Menu để xem những việc có thể làm."),
    "form.removed.dropped": "Biểu mẫu {title} bạn đang điền dở không còn được dùng nữa nên đã được bỏ.",
    "form.unavailable": "Biểu mẫu này không còn được dùng nữa. Bạn chọn Menu để xem những việc có thể làm.",
    "form.old_title": "cũ",   # the title of a removed form whose sentences are gone too: "Biểu mẫu cũ ..."
    # --- parse errors ---------------------------------------------------------------------
    "parse.count_unreadable": "Trợ lý chưa đọc được số. Bạn gõ một con số, ví dụ: 12",
    "parse.count_negative": "Số không được âm.",
    "parse.count_not_whole": "Cần một số nguyên, ví dụ: 12",
    "parse.count_too_small": "Số nhỏ nhất là {minimum}.",
    "parse.count_too_large": "Số này lớn quá (tối đa {maximum}). Bạn xem lại nhé.",
    "parse.date_unreadable": "Trợ lý chưa đọc được ngày. Bạn chọn bên dưới, hoặc gõ kiểu 15/6 hay 15/06/2026.",
    "parse.date_invalid": "Ngày {text} không có thật. Bạn xem lại nhé.",
    "parse.date_day_only": "Ngày {day} của tháng nào? Bạn gõ cả ngày và tháng, ví dụ {day}/{month}.",
    "parse.date_future": "Ngày này chưa tới. Chỉ báo cáo buổi đã diễn ra.",
    "parse.date_too_old": "Ngày này xa quá (trước {earliest}), không báo cáo được nữa.",
    "parse.choice_ambiguous": "Câu trả lời hợp với nhiều lựa chọn. Bạn chọn trong danh sách cho chắc nhé.",
    "parse.choice_unknown": "Trợ lý chưa hiểu. Bạn chọn một mục bên dưới nhé.",
    "parse.yes_no_unknown": "Bạn trả lời có hoặc không nhé.",
    "parse.text_empty": "Bạn chưa gõ gì.",
    "parse.text_too_long": "Dài quá ({length} ký tự; tối đa {max_length}). Bạn viết ngắn lại nhé.",
    # --- the meeting report ---------------------------------------------------------------
    "meeting.title": "Báo cáo sinh hoạt",
    "meeting.saved": "✅ Đã lưu {title} của {unit}. Cảm ơn bạn!",
    "meeting.q.held_on": "📝 Buổi sinh hoạt diễn ra ngày nào?\nChọn bên dưới hoặc gõ ngày, ví dụ 15/6.",
    "meeting.l.held_on": "Ngày",
    "meeting.o.today": "Hôm nay",
    "meeting.o.yesterday": "Hôm qua",
    "meeting.confirm_late": (
        "Ngày {day} thuộc {period}, kỳ này đã khóa sổ.\n"
        "Báo cáo bổ sung cho {period}? Báo cáo sẽ được ghi là nộp muộn."
    ),
    "meeting.button.late_yes": "Đúng, báo cáo bổ sung",
    "meeting.button.late_no": "Không, nhập lại ngày",
    "meeting.flag.filed_late": "🕘 Báo cáo bổ sung cho kỳ đã khóa sổ (ghi là nộp muộn).",
    "meeting.q.kind": "Đó là buổi gì?",
    "meeting.l.kind": "Loại",
    "meeting.o.branch": "Sinh hoạt chi đoàn",
    "meeting.o.committee": "Họp BCH",
    # the kind and the other mode than the branch's usual one, in one tap
    "meeting.o.branch_online": "Sinh hoạt trực tuyến",
    "meeting.o.committee_online": "Họp BCH trực tuyến",
    "meeting.o.branch_in_person": "Sinh hoạt trực tiếp",
    "meeting.o.committee_in_person": "Họp BCH trực tiếp",
    "meeting.in_words": "{kind} ngày {day}, {mode}, {attended} người",
    "meeting.q.mode": "Tổ chức theo hình thức nào?",
    "meeting.l.mode": "Hình thức",
    "meeting.o.in_person": "Trực tiếp",
    "meeting.o.online": "Trực tuyến",
    "meeting.o.hybrid": "Kết hợp",
    "meeting.q.attended": "Có bao nhiêu đoàn viên tham dự? (chi đoàn có {members} đoàn viên)",
    "meeting.l.attended": "Số tham dự",
    "meeting.confirm_over": (
        "Bạn ghi {attended} người tham dự, nhưng chi đoàn chỉ có {members} đoàn viên. "
        "Giữ số {attended}? Đơn vị cấp trên sẽ thấy ghi chú này. Nếu nhầm, gõ lại số đúng."
    ),
    "meeting.flag.over_members": "⚠️ Số tham dự nhiều hơn số đoàn viên (đã xác nhận).",
    "meeting.confirm_zero": (
        "Bạn ghi 0 người tham dự, tức là buổi này không có đoàn viên nào dự. Đúng vậy chứ? "
        "Nếu nhầm, gõ lại số đúng."
    ),
    "meeting.q.note": "Nội dung hoặc ghi chú của buổi sinh hoạt?",
    "meeting.l.note": "Nội dung",
    # --- 1+1 ------------------------------------------------------------------------------
    "oneplusone.title": "Báo cáo 1+1 và phát triển đoàn viên",
    "oneplusone.saved": "✅ Đã lưu {title} của {unit}. Cảm ơn bạn!",
    "oneplusone.q.period": "🤝 Báo cáo cho kỳ nào?",
    "oneplusone.l.period": "Kỳ",
    "oneplusone.o.h1": "6 tháng đầu năm {year}",
    "oneplusone.o.h2": "6 tháng cuối năm {year}",
    "oneplusone.o.year": "Cả năm {year}",
    "oneplusone.q.participants": "Bao nhiêu đoàn viên tham gia 1+1? (chi đoàn có {members} đoàn viên)",
    "oneplusone.l.participants": "Đoàn viên tham gia 1+1",
    "oneplusone.q.youth_reached": (
        "Các đoàn viên ấy đã vận động được bao nhiêu thanh niên vào Đoàn, vào Hội "
        "hoặc tham gia hoạt động của Đoàn, Hội?"
    ),
    "oneplusone.l.youth_reached": "Thanh niên được vận động",
    "oneplusone.q.new_members": "Chi đoàn kết nạp được bao nhiêu đoàn viên mới?",
    "oneplusone.l.new_members": "Đoàn viên mới kết nạp",
    "oneplusone.q.party_introduced": "Bao nhiêu đoàn viên ưu tú được giới thiệu cho Đảng?",
    "oneplusone.l.party_introduced": "Đoàn viên ưu tú giới thiệu cho Đảng",
    "oneplusone.confirm_participants": (
        "Bạn ghi {value} đoàn viên tham gia, nhưng chi đoàn có {members} đoàn viên. Giữ số {value}? "
        "Nếu nhầm, gõ lại số đúng."
    ),
    "oneplusone.confirm_party": (
        "Bạn ghi {value} đoàn viên ưu tú, nhiều hơn số đoàn viên hiện có cộng mới kết nạp ({ceiling}). "
        "Giữ số {value}? Nếu nhầm, gõ lại số đúng."
    ),
    "oneplusone.flag.participants_over": "⚠️ Số tham gia 1+1 nhiều hơn số đoàn viên (đã xác nhận).",
    "oneplusone.flag.party_over": "⚠️ Số giới thiệu cho Đảng nhiều hơn số đoàn viên (đã xác nhận).",
    # --- member count ---------------------------------------------------------------------
    "members.title": "Cập nhật số đoàn viên",
    "members.saved": "✅ Đã cập nhật số đoàn viên của {unit}.",
    "members.q.members": "Chi đoàn hiện có bao nhiêu đoàn viên? (đang ghi {members})",
    "members.l.members": "Số đoàn viên mới",
    "members.q.reason": "Vì sao số đoàn viên thay đổi?",
    "members.l.reason": "Lý do",
    "members.o.admitted": "Kết nạp mới",
    "members.o.moved_in": "Chuyển đến",
    "members.o.moved_away": "Chuyển đi",
    "members.o.grown_out": "Trưởng thành Đoàn",
    "members.o.struck_off": "Xóa tên",
    "members.o.other": "Lý do khác",
    "members.q.note": "Ghi chú thêm?",
    "members.l.note": "Ghi chú",
    # --- sent reports -----------------------------------------------------------------------
    "reports.title": "📋 Báo cáo đã gửi của {unit}:",
    "reports.none": "{unit} chưa có báo cáo nào trong các kỳ còn mở và {months} tháng gần đây.",
    "reports.meeting": "{index}. {date} — {kind}, {mode}, {attended} người",
    "reports.recruitment": "{index}. {report}",
    "reports.closed_mark": " (đã khóa)",
    "reports.late_mark": " (nộp muộn)",
    "reports.footer": (
        "Chọn số của một báo cáo để sửa hoặc xóa. Báo cáo sửa được đến hết {grace} ngày sau kỳ của nó; "
        "báo cáo bổ sung cho kỳ đã khóa sổ sửa được trong {grace} ngày kể từ khi gửi."
    ),
    "reports.pick": "{text}\n\nBạn muốn làm gì với báo cáo này?",
    "reports.button.fix": "✏️ Sửa",
    "reports.button.delete": "🗑 Xóa",
    "reports.button.history": "🕘 Lịch sử sửa",
    "reports.closed": (
        "Báo cáo này đã khóa (kỳ của nó đã đóng) nên không sửa hay xóa được nữa. "
        "Cần điều chỉnh, bạn báo đơn vị cấp trên nhé."
    ),
    "reports.gone": "Báo cáo này không còn nữa.",
    "reports.confirm_delete": "Xóa báo cáo này?\n{text}",
    "reports.button.delete_yes": "Xóa",
    "reports.button.delete_no": "Thôi",
    "reports.deleted": "Đã xóa báo cáo. Đơn vị cấp trên vẫn xem được lịch sử thay đổi.",
    "reports.history.title": "Lịch sử của báo cáo:",
    "reports.history.create": "• {when}: {who} gửi báo cáo",
    "reports.history.update": "• {when}: {who} sửa {field}: {old} → {new}",
    "reports.history.delete": "• {when}: {who} xóa báo cáo",
    "reports.history.empty": "(trống)",
    "reports.history.someone": "(không rõ ai)",
    "field.held_on": "ngày",
    "field.kind": "loại",
    "field.mode": "hình thức",
    "field.attended": "số tham dự",
    "field.over_members": "ghi chú vượt số đoàn viên",
    "field.note": "nội dung",
    "field.participants": "số tham gia 1+1",
    "field.youth_reached": "số thanh niên được vận động",
    "field.new_members": "số kết nạp mới",
    "field.party_introduced": "số giới thiệu cho Đảng",
    "period.month": "tháng {number}/{year}",
    "period.quarter": "quý {number}/{year}",
    "period.half1": "6 tháng đầu năm {year}",
    "period.half2": "6 tháng cuối năm {year}",
    "period.year": "năm {year}",
    # --- anything else --------------------------------------------------------------------
    "not_allowed": "Mục này không dành cho vai trò của bạn.",
    "not_yours": "Bạn chỉ xem được đơn vị của mình và các đơn vị trực thuộc.",
    "unknown_command": "Trợ lý không có lệnh này. Bạn chọn một việc bên dưới, hoặc gõ /trogiup để xem hướng dẫn.",
    "other_no_form": "Trợ lý chỉ đọc được chữ và các lựa chọn.",
    "edited_no_form": "Tin nhắn đã sửa không được xử lý lại. Nếu cần, bạn gửi một tin mới nhé.",
    "error.internal": (
        "Xin lỗi, trợ lý gặp lỗi nên chưa lưu được câu trả lời vừa rồi. Bạn vui lòng gửi lại. "
        "(Mã lỗi {ref}: báo mã này cho cán bộ phụ trách nếu lỗi còn lặp lại.)"
    ),
    "error.slow": (
        "Xin lỗi, trợ lý xử lý quá lâu nên đã dừng. Bạn gửi lại sau ít phút nhé. "
        "(Mã lỗi {ref}: báo mã này cho cán bộ phụ trách nếu lỗi còn lặp lại.)"
    ),
    "button_stale": "Lựa chọn này đã cũ. Gõ /menu để xem các việc có thể làm.",
}

MESSAGES.update({
    # --- the terminal chat (no token) -----------------------------------------------------
    "terminal.banner": (
        "Trò chuyện thử với trợ lý chi đoàn, trên cơ sở dữ liệu mẫu ({database}).\n"
        "Gõ như nhắn tin trên điện thoại. Chọn bằng cách gõ số thứ tự (ví dụ 1) hoặc gõ chữ, như trên Zalo.\n"
        "Lệnh riêng của cửa sổ này: :ai (danh sách người dùng mẫu), :la SỐ (đổi sang người đó), "
        ":khach (làm người lạ), :thoat (thoát)."
    ),
    "terminal.invite": "Muốn thử tham gia bằng liên kết mời? Gõ :khach rồi gõ: /start {code}",
    "terminal.people_title": "Người dùng mẫu:",
    "terminal.person": "{number}. {name} — {who}",
    "terminal.person_no_role": "{number}. {name} — (không còn vai trò)",
    "terminal.now": "Bạn đang là: {name}.",
    "terminal.guest_name": "Khách {number}",
    "terminal.now_guest": "Bạn đang là một người lạ mới, chưa được mời (tên hiển thị: {name}).",
    "terminal.bad_person": "Không có người số {number}. Gõ :ai để xem danh sách.",
    "terminal.file": "📎 Tệp đính kèm: {path}",
    "terminal.bye": "Tạm biệt!",
    "terminal.unknown_meta": "Không có lệnh này. Lệnh của cửa sổ: :ai, :la SỐ, :khach, :thoat.",
})

MESSAGES.update({
    # --- importing units (command line) ------------------------------------------------------
    "import.problem": "Dòng {line}: {reasons}",
    "import.not_utf8": "tệp không phải văn bản UTF-8 (byte {byte}); trong Excel hãy lưu dạng \"CSV UTF-8\"",
    "import.empty": "tệp rỗng; dòng đầu phải là tiêu đề cột",
    "import.missing_columns": "thiếu cột {columns}",
    "import.unknown_columns": "cột lạ {columns}",
    "import.cells": "có {found} ô, cần {expected}",
    "import.duplicate": "mã {code} đã có ở dòng {line}",
    "import.bad_code": "mã \"{code}\" chỉ gồm chữ không dấu, số, - hoặc _",
    "import.no_name": "thiếu tên",
    "import.members_not_branch": "số đoàn viên chỉ ghi cho chi đoàn (branch); ở đây để 0 hoặc trống",
    "import.refused": "Tệp {path} không được nhập; chưa có gì thay đổi. Có {count} dòng cần sửa:",
    "import.done": "Đã nhập {path}: {created} đơn vị mới, {updated} đơn vị cập nhật, {unchanged} không đổi.",
    "import.no_file": "Không tìm thấy tệp {path}.",
    # --- invites (command line) -----------------------------------------------------------------
    "invites.no_unit": "Không có đơn vị mã {code}.",
    "invites.no_branches": "Dưới {unit} không có chi đoàn nào.",
    "invites.branches_need_parent": (
        "--for-branches dùng cho một đơn vị có chi đoàn ở dưới (Tỉnh đoàn, Đoàn xã, phường, Đoàn cơ sở); "
        "{unit} là chi đoàn."
    ),
    "invites.officer_level": (
        "Mã cán bộ dùng cho đơn vị trên chi đoàn (Tỉnh đoàn, Đoàn xã, phường, Đoàn cơ sở); {unit} là chi đoàn."
    ),
    "invites.secretary_level": "Mã Bí thư dùng cho chi đoàn; {unit} không phải chi đoàn (dùng --for-branches hoặc --role officer).",
    "invites.line": (
        "{unit} ({code}) — {role}, hết hạn {expires}\n  Mã: {invite}  (Zalo: gõ mã này vào trò chuyện với trợ lý)\n"
        "  Liên kết Telegram: {link}"
    ),
    "invites.csv_header": "ma_don_vi,ten_don_vi,vai_tro,ma_moi,lien_ket,het_han",
    "invites.revoked": "Đã thu hồi mã.",
    "invites.unknown": "Không có mã này.",
    "invites.used": "Mã này đã được dùng; muốn gỡ người đã tham gia, hãy chọn Gỡ trên thẻ chi đoàn.",
    "invites.already_revoked": "Mã này đã bị thu hồi từ trước.",
    "cli.settings_error": "Lỗi cấu hình: {error}",
    "settings.bad_token": "TELEGRAM_BOT_TOKEN không đúng dạng token của bot (chữ số, dấu hai chấm, rồi một chuỗi ký tự).",
    "settings.bad_base_url": "TELEGRAM_API_BASE_URL phải là một địa chỉ http(s), ví dụ {default}",
    "settings.bad_log_level": "LOG_LEVEL phải là một trong {levels}.",
    "settings.no_calendar": "Không tìm thấy tệp lịch CALENDAR_FILE={path}.",
    "settings.bad_positive": "{name} phải là số nguyên từ 1 trở lên, không phải \"{value}\".",
    "cli.help.command": "LỆNH",
    "cli.help.action": "VIỆC",
    "cli.help.run": "chạy bot (như khi không có lệnh con)",
    "cli.help.chat": "trò chuyện thử trong cửa sổ dòng lệnh, không cần mạng",
    "cli.help.units": "đơn vị: nhập danh sách từ tệp CSV",
    "cli.help.units_import": "nhập hoặc cập nhật đơn vị từ CSV (code,name,level,parent_code,border,members)",
    "cli.help.invites": "mã mời: tạo, thu hồi",
    "cli.help.invites_create": "tạo mã mời và liên kết t.me cho một đơn vị",
    "cli.help.unit": "mã đơn vị",
    "cli.help.for_branches": "một mã cho mỗi chi đoàn dưới đơn vị",
})

MESSAGES.update({
    # --- command line: help, errors, data folder, unit files, invite files, start-up retries ----
    "settings.bad_username": (
        "TELEGRAM_BOT_USERNAME \"{value}\" không đúng dạng tên bot "
        "(5–32 chữ cái không dấu, số hoặc _, kết thúc bằng bot)."
    ),
    "cli.help.usage": "Cách dùng: ",
    "cli.help.positionals": "đối số",
    "cli.help.options": "tùy chọn",
    "cli.help.commands": "lệnh",
    "cli.help.actions": "việc",
    "cli.help.help": "in hướng dẫn này rồi thoát",
    "cli.help.chat_database": "tệp dữ liệu mẫu (mặc định: demo.sqlite3 trong DATA_DIR; chưa có thì tạo)",
    "cli.help.units_file": "tệp CSV danh sách đơn vị",
    "cli.help.file_metavar": "TỆP",
    "cli.help.import_database": "tệp dữ liệu (mặc định: DATABASE_PATH); chưa có thì tạo mới",
    "cli.help.existing_database": "tệp dữ liệu đã có (mặc định: DATABASE_PATH)",
    "cli.help.unit_metavar": "MÃ",
    "cli.help.role": "vai trò: secretary (Bí thư chi đoàn, mặc định) hoặc officer (cán bộ Đoàn)",
    "cli.help.days_metavar": "SỐ_NGÀY",
    "cli.help.expires_days_range": "số ngày mã còn hiệu lực, từ 1 đến {most} (mặc định 30)",
    "cli.help.invites_out": "tệp CSV ghi các mã (mặc định khi --for-branches: invites/invites-MÃ.csv trong DATA_DIR)",
    "cli.help.name_metavar": "TÊN_BOT",
    "cli.help.bot_username_vi": "tên bot trên Telegram, để in liên kết t.me (mặc định: TELEGRAM_BOT_USERNAME)",
    "cli.help.code_metavar": "MÃ_MỜI",
    "cli.help.period_metavar": "KỲ",
    "cli.help.export_out_dir": (
        "tệp .xlsx (với --csv: phần đầu tên chung của các tệp CSV); mặc định: out/tonghop-MÃ-KỲ.xlsx trong DATA_DIR"
    ),
    "cli.error": "{prog}: lỗi: {message}\n",
    "cli.error.required": "thiếu {names}",
    "cli.error.unrecognized": "không hiểu {words}",
    "cli.error.invalid_choice": "{name}: không có {value}; chọn một trong {choices}",
    "cli.error.invalid_value": "{name}: giá trị {value} không dùng được",
    "cli.error.expected_one": "{name} cần một giá trị",
    "cli.error.ambiguous": "{option} chưa rõ là {matches}",
    "cli.error.argument": "{name}: {message}",
    "cli.no_database": (
        "Không có tệp dữ liệu {path}; chưa làm gì. Kiểm tra lại --database hoặc DATABASE_PATH. "
        "Tệp dữ liệu được tạo khi nhập đơn vị lần đầu: python -m bot units import TỆP.csv"
    ),
    "import.database_created": "Đã tạo tệp dữ liệu mới {path}.",
    "import.column_twice": "cột {column} có hai lần ({written})",
    "import.expected_columns": (
        "cần các cột {columns}, hoặc tên tiếng Việt ma_don_vi, ten_don_vi, cap, ma_cap_tren, bien_gioi, "
        "so_doan_vien (thêm founded hoặc ngay_thanh_lap nếu muốn)"
    ),
    "import.bad_level_named": "{column} \"{level}\" không phải cấp đã biết; dùng {levels}",
    "import.level_choice": "{name} ({level})",
    "import.bad_border_named": "{column} \"{border}\" phải là có hoặc không (hoặc 1/0, x/để trống)",
    "import.bad_members_named": "{column} \"{members}\" phải là số nguyên từ 0 trở lên",
    "import.bad_founded_named": "{column} \"{founded}\" phải là ngày dạng 26/03/2020",
    "import.second_root_named": "{column} trống nhưng {root} đã là đơn vị gốc",
    "import.no_parent_named": "{column} {parent} không có trong tệp lẫn trong dữ liệu",
    "import.bad_parent_level_named": "đơn vị cấp {level} không thể trực thuộc đơn vị cấp {parent_level} ({parent})",
    "invites.bad_expires_days": "số ngày hiệu lực phải từ 1 đến {most}, không phải \"{value}\"",
    "invites.bad_username": "\"{value}\" không đúng dạng tên bot (5–32 chữ cái không dấu, số hoặc _, kết thúc bằng bot)",
    "invites.username_unasked": "Không hỏi được tên bot từ Telegram.",
    "invites.line_no_link": (
        "{unit} ({code}) — {role}, hết hạn {expires}\n  Mã: {invite}  (gõ mã này vào trò chuyện với trợ lý, trên Zalo hay Telegram)"
    ),
    "invites.zalo_bot": "   Trên Zalo: gõ mã này cho tài khoản trợ lý «{bot}».",
    "invites.zalo_bot_none": (
        "   Trên Zalo: chưa tài khoản trợ lý nào nhận mã của đơn vị này — hãy thêm đơn vị vào tệp ZALO_BOTS_FILE."
    ),
    "invites.no_link_note": (
        "Chưa có liên kết t.me vì chưa biết tên tài khoản Telegram của trợ lý. Người được mời vẫn tham gia "
        "được: mở trò chuyện với trợ lý (Zalo hoặc Telegram) rồi gõ mã. Muốn có liên kết Telegram, đặt "
        "TELEGRAM_BOT_USERNAME trong tệp .env hoặc thêm --bot-username TÊN_BOT."
    ),
    "invites.file_written": "Đã ghi {count} mã mời vào {path} để trộn thư.",
    "invites.file_warning": (
        "⚠️ Tệp này chứa mã mời còn hiệu lực: ai có tệp là dùng được mã. "
        "Đừng đưa tệp lên nhóm chung hay vào git; gửi xong thì xoá tệp."
    ),
    "startup.retrying": "Chưa kết nối được ({error}). Thử lại sau {seconds} giây (lần {attempt}/{attempts})…",
    "startup.gave_up": "Không kết nối được sau {attempts} lần thử ({error}). Kiểm tra mạng rồi chạy lại.",
})

# --- evidence photos (ảnh minh chứng) of meetings: handlers/photos.py, /baocao, digests --------
MESSAGES.update({
    # after "Trợ lý chỉ đọc được chữ và các lựa chọn." (other_no_form), with the home menu
    "photo.no_report": (
        "Ảnh chỉ được nhận làm minh chứng cho báo cáo sinh hoạt: gửi ảnh trong lúc đang báo cáo "
        "(/sinhhoat) hoặc trong vòng {minutes} phút sau khi lưu báo cáo. Ảnh này chưa được lưu."
    ),
    "photo.waiting": "📷 Đã nhận ảnh minh chứng ({count}/{most}); ảnh sẽ được gắn vào báo cáo khi bạn lưu.",
    "photo.added": "📷 Đã gắn ảnh minh chứng ({count}/{most}) vào báo cáo: {meeting}.",
    "photo.saved_with": "📷 Kèm {count} ảnh minh chứng.",
    "photo.full": "Báo cáo này đã đủ {most} ảnh minh chứng nên ảnh vừa gửi không được lưu thêm.",
    "photo.too_large": (
        "Ảnh nặng hơn {most} MB nên chưa được lưu. Bạn gửi ảnh nhẹ hơn nhé (gửi như ảnh thường, "
        "không gửi dạng tệp gốc)."
    ),
    "photo.fetch_failed": "Trợ lý chưa tải được ảnh này nên ảnh chưa được lưu. Bạn gửi lại giúp nhé.",
    "photo.not_image": "Tệp vừa gửi không phải ảnh (JPG, PNG…) nên không được lưu làm minh chứng.",
    "reports.photos_mark": " · 📷 {count} ảnh",
    "digest.evidence": "📷 Có ảnh minh chứng: {with_photos}/{meetings} buổi ({photos} ảnh)",
    "xlsx.sheet.evidence": "Ảnh minh chứng",
    "xlsx.title.evidence": "Các buổi sinh hoạt, họp BCH trong kỳ và ảnh minh chứng",
    "xlsx.col.meetings_with_photos": "Buổi có ảnh minh chứng",
    "xlsx.col.photos": "Số ảnh minh chứng",
    "xlsx.col.kind": "Loại buổi",
    "xlsx.col.mode": "Hình thức",
})

# --- python -m bot serve, backup, restore (bot/web.py, storage/backup.py) ------------------------------
MESSAGES.update({
    "settings.bad_telegram_secret": (
        "TELEGRAM_WEBHOOK_SECRET phải dài 16 đến 256 ký tự, chỉ gồm chữ không dấu, chữ số, _ và - "
        "(đang có {length} ký tự). Tạo một mã: python3 -c \"import secrets; print(secrets.token_urlsafe(32))\""
    ),
    "settings.bad_public_url": (
        "PUBLIC_URL phải là địa chỉ https của máy chủ, ví dụ https://bot.tinhdoan.vn, không phải \"{value}\"."
    ),
    "settings.bad_host": "HOST phải là một địa chỉ để lắng nghe, ví dụ 127.0.0.1 hoặc 0.0.0.0, không phải \"{value}\".",
    "settings.bad_port": "PORT phải là số cổng từ 1 đến 65535, không phải \"{value}\".",
    "settings.bad_log_format": "LOG_FORMAT phải là một trong {formats}, không phải \"{value}\".",
    "serve.no_messenger": (
        "Lệnh serve cần ít nhất một token: TELEGRAM_BOT_TOKEN hoặc ZALO_BOT_TOKEN. "
        "Muốn trò chuyện thử không cần mạng thì dùng: python -m bot chat"
    ),
    "serve.no_public_url": (
        "Đã đặt {secret} nên {channel} gửi tin cho trợ lý qua webhook: cần đặt PUBLIC_URL là địa chỉ https "
        "của máy chủ (ví dụ https://chidoan.tinhdoan.vn)."
    ),
    "serve.port_busy": "Không mở được cổng {host}:{port} ({error}). Có thể một chương trình khác (hay một trợ lý khác) đang dùng cổng này; đổi PORT hoặc dừng chương trình kia.",
    "cli.help.serve": "chạy trợ lý như trên máy chủ: nhận webhook của Telegram, Zalo, trang /healthz, sao lưu hằng đêm",
    "cli.help.backup": "sao lưu cơ sở dữ liệu ngay (an toàn cả khi trợ lý đang chạy), vào thư mục backups trong DATA_DIR",
    "cli.help.restore": "khôi phục cơ sở dữ liệu từ một bản sao lưu (dừng trợ lý trước khi chạy)",
    "cli.help.restore_file": "tệp sao lưu (.sqlite3), thường nằm trong thư mục backups của DATA_DIR",
    "backup.done": "Đã sao lưu vào {path} ({size}). Thư mục {folder} giữ {keep} bản mới nhất.",
    "backup.failed": "Không sao lưu được: {error}",
    "restore.not_found": "Không tìm thấy tệp sao lưu {path}.",
    "restore.not_sqlite": "Tệp {path} không phải một cơ sở dữ liệu SQLite; không khôi phục.",
    "restore.damaged": "Tệp {path} bị hỏng ({problem}); không khôi phục. Hãy chọn một bản sao lưu khác.",
    "restore.not_ours": "Tệp {path} không phải dữ liệu của trợ lý này (thiếu bảng {tables}); không khôi phục.",
    "restore.too_new": (
        "Tệp {path} do một phiên bản mới hơn của trợ lý tạo ra (lược đồ {version}, bản này chỉ biết đến {known}); "
        "hãy cập nhật trợ lý trước khi khôi phục."
    ),
    "restore.bot_running": (
        "Cơ sở dữ liệu {database} đang được một chương trình khác mở (có lẽ trợ lý đang chạy). "
        "Dừng trợ lý trước (systemctl stop chidoan-bot, hoặc docker compose stop) rồi khôi phục lại."
    ),
    "restore.same_file": "Tệp {path} chính là cơ sở dữ liệu đang dùng; không có gì để khôi phục.",
    "restore.done": "Đã khôi phục {path} vào {database}. Dữ liệu cũ được giữ lại ở {aside}.",
    "restore.done_fresh": "Đã khôi phục {path} vào {database}.",
    "cli.help.export_link": (
        "in thêm một liên kết tải tệp, dùng được 24 giờ, chỉ mở đúng tệp này (cần PUBLIC_URL và lệnh serve đang chạy)"
    ),
    "export.link": "Liên kết tải (dùng được đến {expires}): {url}",
    "export.link_needs_public_url": (
        "Chưa tạo được liên kết tải: cần đặt PUBLIC_URL và một token (TELEGRAM_BOT_TOKEN hoặc ZALO_BOT_TOKEN) "
        "trong .env, và trợ lý chạy bằng lệnh serve."
    ),
    "telegram.webhook_refused": (
        "Telegram không nhận địa chỉ webhook {url} ({error}). Kiểm tra PUBLIC_URL: tên miền trỏ về máy "
        "chủ này và có chứng chỉ HTTPS."
    ),
})
