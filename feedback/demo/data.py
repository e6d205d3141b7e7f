"""The demo province: agencies with real-looking Vietnamese names, and citizens' comments."""

# (code, parent code, name_vi, name_en, kind, how well it serves: share of 4–5 answers, visits weight)
# Department names follow the 2025 reorganisation of provincial departments; communes and wards sit
# directly under the province (two-level local government).
AGENCIES = [
    ("BA", None, "UBND tỉnh Bình An", "Binh An Provincial People's Committee", "province", 0.80, 0),
    ("TTHCC", "BA", "Trung tâm Phục vụ hành chính công tỉnh",
     "Provincial Public Administration Service Centre", "service_center", 0.88, 10),
    ("STP", "BA", "Sở Tư pháp", "Department of Justice", "department", 0.86, 6),
    ("STC", "BA", "Sở Tài chính", "Department of Finance", "department", 0.78, 5),
    ("SNNMT", "BA", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment",
     "department", 0.62, 8),
    ("SXD", "BA", "Sở Xây dựng", "Department of Construction", "department", 0.66, 7),
    ("SNV", "BA", "Sở Nội vụ", "Department of Home Affairs", "department", 0.83, 4),
    ("SYT", "BA", "Sở Y tế", "Department of Health", "department", 0.74, 5),
    ("SGDDT", "BA", "Sở Giáo dục và Đào tạo", "Department of Education and Training", "department", 0.81, 3),
    ("SCT", "BA", "Sở Công Thương", "Department of Industry and Trade", "department", 0.79, 2),
    ("SKHCN", "BA", "Sở Khoa học và Công nghệ", "Department of Science and Technology", "department",
     0.85, 0.25),
    ("PHOABINH", "BA", "UBND phường Hòa Bình", "Hoa Binh Ward People's Committee", "ward", 0.84, 6),
    ("PTANPHONG", "BA", "UBND phường Tân Phong", "Tan Phong Ward People's Committee", "ward", 0.71, 5),
    ("XANBINH", "BA", "UBND xã An Bình", "An Binh Commune People's Committee", "commune", 0.90, 3),
    ("XTANLAP", "BA", "UBND xã Tân Lập", "Tan Lap Commune People's Committee", "commune", 0.68, 3),
    ("XDONGSON", "BA", "UBND xã Đông Sơn", "Dong Son Commune People's Committee", "commune", 0.76, 2),
    ("XPHULOC", "BA", "UBND xã Phú Lộc", "Phu Loc Commune People's Committee", "commune", 0.58, 2),
    ("XTHACHHA", "BA", "UBND xã Thạch Hà", "Thach Ha Commune People's Committee", "commune", 0.82, 0.6),
    ("XMYLOC", "BA", "UBND xã Mỹ Lộc", "My Loc Commune People's Committee", "commune", 0.87, 0.08),
    ("TTHCC-STP", "TTHCC", "Quầy Sở Tư pháp tại Trung tâm", "Justice counter at the Centre", "counter",
     0.90, 5),
    ("TTHCC-SNNMT", "TTHCC", "Quầy Sở Nông nghiệp và Môi trường tại Trung tâm",
     "Agriculture and Environment counter at the Centre", "counter", 0.70, 6),
    ("TTHCC-SXD", "TTHCC", "Quầy Sở Xây dựng tại Trung tâm", "Construction counter at the Centre",
     "counter", 0.72, 4),
    ("TTHCC-SCT", "TTHCC", "Quầy Sở Công Thương tại Trung tâm", "Industry and Trade counter at the Centre",
     "counter", 0.83, 2),
    ("STP-CT", "STP", "Phòng Công chứng số 1", "Notary Office No. 1", "counter", 0.89, 3),
    ("SYT-BVDK", "SYT", "Bệnh viện Đa khoa tỉnh", "Provincial General Hospital", "counter", 0.69, 6),
    ("SNV-BHXH", "SNV", "Bộ phận chính sách người có công", "Service for people with merit", "counter",
     0.80, 2),
    ("PHOABINH-MC", "PHOABINH", "Bộ phận Một cửa phường Hòa Bình", "Hoa Binh Ward one-stop shop",
     "one_stop", 0.86, 5),
    ("PTANPHONG-MC", "PTANPHONG", "Bộ phận Một cửa phường Tân Phong", "Tan Phong Ward one-stop shop",
     "one_stop", 0.64, 4),
    ("XANBINH-MC", "XANBINH", "Bộ phận Một cửa xã An Bình", "An Binh Commune one-stop shop", "one_stop",
     0.91, 2),
    ("XTANLAP-MC", "XTANLAP", "Bộ phận Một cửa xã Tân Lập", "Tan Lap Commune one-stop shop", "one_stop",
     0.66, 2),
]

# How each SIPAS dimension departs from an agency's overall level: procedures and handling of
# feedback are the usual weak spots in provincial SIPAS reports, civil servants the strong one.
DIMENSION_SHIFT = {"access": 0.03, "procedure": -0.07, "staff": 0.06, "result": 0.02, "feedback": -0.10}

COMMENTS_VI = [
    "Cán bộ hướng dẫn tận tình, tôi rất hài lòng.",
    "Thời gian chờ lâu, nên bố trí thêm quầy vào buổi sáng.",
    "Thủ tục còn nhiều giấy tờ, đề nghị giảm bớt bản sao.",
    "Nơi ngồi chờ chật, mùa hè rất nóng.",
    "Được trả kết quả sớm hơn hẹn, cảm ơn cán bộ.",
    "Nên có hướng dẫn nộp hồ sơ trực tuyến rõ ràng hơn.",
    "Phí được niêm yết công khai, minh bạch.",
    "Tôi phải đi lại hai lần vì thiếu giấy tờ mà không được báo trước.",
    "Công chức lịch sự, giải thích dễ hiểu cho người lớn tuổi.",
    "Chỗ để xe không đủ, phải gửi xe bên ngoài.",
    "Hệ thống xếp hàng tự động hoạt động tốt.",
    "Đề nghị làm việc cả sáng thứ Bảy cho người đi làm.",
    "Góp ý lần trước chưa thấy phản hồi.",
    "Mọi việc nhanh gọn, không phải chờ đợi.",
]
COMMENTS_EN = [
    "The staff were very helpful.",
    "Long wait; please open another counter in the morning.",
    "Too many copies of documents are required.",
]

# Syllables of generated commune and ward names for large demos (`seed-demo --agencies`): common
# Vietnamese place-name words, paired as real names are ("Tân Phú", "Hòa Bình", "Vĩnh Lộc").
PLACE_FIRST = ["An", "Bình", "Tân", "Phú", "Hòa", "Long", "Mỹ", "Phước", "Thạnh", "Vĩnh", "Đông",
               "Tây", "Nam", "Bắc", "Trung", "Hưng", "Thuận", "Quang", "Minh", "Thanh", "Hải", "Sơn",
               "Lộc", "Thọ", "Hiệp", "Cát", "Định", "Kim", "Ngọc", "Xuân"]
PLACE_SECOND = ["Bình", "Hòa", "Phú", "Lợi", "Thành", "Hưng", "Thịnh", "Lộc", "Phước", "An", "Điền",
                "Sơn", "Hải", "Tiến", "Đức", "Nghĩa", "Tân", "Trung", "Long", "Mỹ", "Thuận", "Hiệp",
                "Quý", "Khánh", "Vinh", "Hậu", "Tây", "Đông", "Lâm", "Xuyên"]


# The province's own copy of the SIPAS questionnaire asks three more things, so the demo's
# question-detail dashboard has a 0–10 question (NPS) and choice questions to show.
PROVINCE_SURVEY_TITLE = ("Khảo sát sự hài lòng về phục vụ hành chính của tỉnh",
                         "Province survey of satisfaction with public administration")
PROVINCE_EXTRA_QUESTIONS = [
    {"key": "section_more", "type": "section", "text_vi": "Thông tin thêm", "text_en": "A little more"},
    {"key": "recommend", "type": "rating10",
     "text_vi": "Ông/Bà sẵn lòng giới thiệu nơi này với người thân, bạn bè ở mức nào?",
     "text_en": "How likely are you to recommend this office to family and friends?",
     "short_vi": "Sẵn lòng giới thiệu", "short_en": "Would recommend",
     "help_vi": "0 = chắc chắn không, 10 = chắc chắn có", "help_en": "0 = certainly not, 10 = certainly"},
    {"key": "submission_channel", "type": "single",
     "text_vi": "Ông/Bà đã nộp hồ sơ bằng hình thức nào?", "text_en": "How did you submit your application?",
     "short_vi": "Hình thức nộp hồ sơ", "short_en": "How submitted",
     "options": {"choices": [
         {"value": "counter", "label_vi": "Trực tiếp tại Bộ phận Một cửa",
          "label_en": "In person at the one-stop counter"},
         {"value": "post", "label_vi": "Qua dịch vụ bưu chính công ích",
          "label_en": "By public postal service"},
         {"value": "online", "label_vi": "Trực tuyến trên Cổng dịch vụ công",
          "label_en": "Online on the public service portal"},
     ]}},
    {"key": "information_sources", "type": "multiple",
     "text_vi": "Ông/Bà tìm hiểu thông tin về thủ tục hành chính qua những kênh nào?",
     "text_en": "Where did you learn about the administrative procedure?",
     "short_vi": "Kênh tìm hiểu thông tin", "short_en": "Where they learned",
     "options": {"choices": [
         {"value": "portal", "label_vi": "Cổng dịch vụ công", "label_en": "Public service portal"},
         {"value": "notice", "label_vi": "Bảng niêm yết tại cơ quan",
          "label_en": "Notice board at the office"},
         {"value": "staff", "label_vi": "Hỏi công chức", "label_en": "Asked the staff"},
         {"value": "people", "label_vi": "Người quen, hàng xóm", "label_en": "Friends, neighbours"},
     ]}},
]
# How often each channel is used (counter, post, online) and each source is named.
CHANNEL_WEIGHTS = (0.62, 0.08, 0.30)
SOURCE_CHANCES = {"portal": 0.45, "notice": 0.35, "staff": 0.40, "people": 0.25}
