/* catalog_seed.c - the demo catalogue and the synthetic benchmark catalogue */
#include "lms/seed/catalog_seed.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lms/core/err.h"
#include "lms/db/sql.h"
#include "lms/seed/seed.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct program {
	const char *code, *ko, *en, *summary_ko, *summary_en;
	const char *stages;  /* ladder stages that may enrol, space-separated */
	bool affiliation, approval;
	int min_attendance;  /* percent of sessions completion needs; 0: no rule */
	const char *tag;     /* added to its courses' tags */
	const char *pitch_ko, *pitch_en; /* what its courses do, for their summaries */
} programs[] = {
	{"ai_academy", "인공지능사관학교", "AI Academy",
	 "광주광역시가 운영하는 실무형 인공지능 인재 양성 과정입니다. 구직자와 재직자가 프로젝트 "
	 "중심으로 인공지능 개발 역량을 기릅니다.",
	 "Gwangju's practical AI talent programme: job seekers and working people build AI "
	 "development skills through projects.",
	 "job_seeker general worker", false, false, 80, "사관학교",
	 "현업 과제를 팀 프로젝트로 풀며 인공지능 개발 실무를 익힙니다.",
	 "Learn hands-on AI development by solving real industry problems in team projects."},
	{"ai_do_dream", "인공지능 두드림", "AI Do-Dream",
	 "새로운 직무로 옮기려는 분을 위한 인공지능 직무 전환 과정입니다. 비전공자도 기초부터 취업 "
	 "준비까지 단계별로 배웁니다.",
	 "For people switching careers into AI: non-majors learn step by step, from the basics "
	 "to job readiness.",
	 "job_seeker worker general", false, false, 80, "두드림",
	 "새 직무로 옮기려는 분이 인공지능 실무의 기초를 단계별로 다집니다.",
	 "Build the foundations of AI work step by step as you move into a new job."},
	{"corporate_university", "인공지능 사내대학", "AI Corporate University",
	 "공무원과 기업 재직자가 일터에서 인공지능을 활용하도록 돕는 사내대학입니다. 소속 기관이나 "
	 "회사가 있어야 신청할 수 있습니다.",
	 "Helps public servants and company staff put AI to work in their jobs. Applicants need "
	 "an affiliation with a member institution or company.",
	 "public_servant worker", true, false, 0, "사내대학",
	 "일터의 문제를 인공지능으로 풀어 보는 재직자 맞춤 과정입니다.",
	 "A course for working professionals who want to solve workplace problems with AI."},
	{"science_academy", "과학골든벨 인공지능 아카데미", "Science Golden Bell AI Academy",
	 "국립광주과학관이 초·중·고 학생을 위해 여는 인공지능 아카데미입니다. 코딩과 로봇, 체험으로 "
	 "인공지능을 처음 만납니다.",
	 "The Gwangju National Science Museum's AI academy for school students: a first meeting "
	 "with AI through coding, robots and hands-on activities.",
	 "elementary middle high", false, false, 0, "과학관",
	 "놀이와 체험으로 인공지능의 원리를 알아 가는 어린이·청소년 과정입니다.",
	 "Children and teenagers discover how AI works through play and hands-on activities."},
	{"university_track", "대학 AI 트랙", "University AI Tracks",
	 "전남대 AI융합대학, 조선대 SW중심대학, 호남대 AI중심대학의 학부·대학원생을 위한 인공지능 "
	 "교육과정입니다.",
	 "The AI curricula of Chonnam's AI Convergence College, Chosun's SW-Centred University "
	 "and Honam's AI-Centred University, for undergraduate and graduate students.",
	 "undergraduate graduate", false, false, 0, "대학",
	 "전공 이론과 실습을 함께 다루는 학부·대학원 교과목입니다.",
	 "A university course that combines theory with practice."},
	{"graduate_school", "GIST 인공지능대학원", "GIST Graduate School of AI",
	 "광주과학기술원 인공지능대학원의 석·박사 교과목입니다.",
	 "Master's and doctoral courses of the GIST Graduate School of AI.", "graduate", false,
	 false, 0, "대학원", "최신 연구 논문을 읽고 직접 구현하며 연구 역량을 기릅니다.",
	 "Read recent research papers and implement them to build research skills."},
	{"online", "온라인 AI 교육", "Online AI Education",
	 "누구나 언제 어디서나 들을 수 있는 온라인 인공지능 교육입니다.",
	 "Online AI education open to everyone, anywhere, any time.",
	 "preschool elementary middle high undergraduate graduate worker job_seeker "
	 "public_servant general",
	 false, false, 0, "온라인", "언제 어디서나 자기 속도에 맞춰 들을 수 있습니다.",
	 "Study anywhere, at your own pace."},
	{"startup_support", "인공지능 창업 지원", "AI Startup Support",
	 "인공지능 기술로 창업하려는 분을 위한 아이디어 검증, 사업화, 투자 유치 과정입니다. 선발 "
	 "심사를 거쳐 참여합니다.",
	 "Idea validation, commercialisation and fundraising for people founding AI startups. "
	 "Participants are selected by application.",
	 "job_seeker worker general graduate", false, true, 0, "창업",
	 "인공지능 기술을 사업으로 만드는 과정을 멘토와 함께 실전으로 경험합니다.",
	 "Turn AI technology into a business, hands-on, with mentors."},
	{"regional_center", "지역지능화 혁신인재양성", "Regional Intelligence Innovation Talent",
	 "전국 15개 지역 거점 대학 연구센터가 지역 기업 재직자에게 인공지능 대학원 교육을 "
	 "제공합니다.",
	 "Fifteen regional university research centres give employees of regional companies "
	 "graduate education in AI.",
	 "worker", true, false, 0, "지역지능화",
	 "지역 주력 산업의 데이터로 현장 문제를 푸는 재직자 대학원 과정입니다.",
	 "A graduate course for employees that solves real problems with data from the region's "
	 "key industries."},
};

/* A subject taught as one course per offering institution. */
struct topic {
	const char *ko, *en;
	const char *tags;   /* space-separated */
	char level;         /* 'b'eginner, 'i'ntermediate, 'a'dvanced */
	const char *after;  /* the topic (Korean name) to complete first: a ladder rung */
};

static const struct topic academy[] = {
	{"파이썬 프로그래밍 기초", "Python Programming Basics", "파이썬 코딩 기초", 'b', NULL},
	{"데이터 분석 실무", "Practical Data Analysis", "데이터 pandas 시각화", 'b',
	 "파이썬 프로그래밍 기초"},
	{"머신러닝 기초", "Machine Learning Basics", "머신러닝 scikit-learn", 'i', "데이터 분석 실무"},
	{"머신러닝 심화", "Advanced Machine Learning", "머신러닝 앙상블", 'a', "머신러닝 기초"},
	{"딥러닝 실무", "Practical Deep Learning", "딥러닝 PyTorch", 'i', "머신러닝 기초"},
	{"컴퓨터 비전 응용", "Applied Computer Vision", "비전 CNN 영상", 'a', "딥러닝 실무"},
	{"자연어 처리 응용", "Applied Natural Language Processing", "자연어 트랜스포머", 'a',
	 "딥러닝 실무"},
	{"생성형 AI 서비스 개발", "Building Generative AI Services", "생성형AI LLM 서비스", 'a',
	 "자연어 처리 응용"},
	{"MLOps와 모델 배포", "MLOps and Model Deployment", "MLOps 배포 클라우드", 'a', NULL},
	{"빅데이터 플랫폼 구축", "Building Big Data Platforms", "빅데이터 Spark 데이터", 'i', NULL},
	{"AI 헬스케어 프로젝트", "AI Healthcare Project", "헬스케어 의료 프로젝트", 'a', NULL},
	{"AI 모빌리티 프로젝트", "AI Mobility Project", "자동차 모빌리티 자율주행", 'a', NULL},
	{"AI 에너지 프로젝트", "AI Energy Project", "에너지 전력 예측", 'a', NULL},
	{"AI 문화콘텐츠 프로젝트", "AI Culture Content Project", "문화콘텐츠 생성형AI", 'i', NULL},
};

static const struct topic do_dream[] = {
	{"비전공자를 위한 코딩 첫걸음", "First Steps in Coding for Non-Majors", "코딩 입문 파이썬",
	 'b', NULL},
	{"데이터 리터러시", "Data Literacy", "데이터 리터러시 엑셀", 'b', NULL},
	{"SQL로 데이터 다루기", "Working with Data in SQL", "SQL 데이터베이스", 'b',
	 "데이터 리터러시"},
	{"파이썬 데이터 분석", "Data Analysis with Python", "파이썬 데이터 pandas", 'i',
	 "비전공자를 위한 코딩 첫걸음"},
	{"업무 자동화와 AI", "Work Automation with AI", "자동화 RPA 업무", 'b', NULL},
	{"노코드 AI 도구 활용", "Using No-Code AI Tools", "노코드 도구 생성형AI", 'b', NULL},
	{"AI 서비스 기획", "Planning AI Services", "기획 서비스 UX", 'i', NULL},
	{"데이터 라벨링 실무", "Data Labelling in Practice", "데이터 라벨링 품질", 'b', NULL},
	{"클라우드 기초", "Cloud Basics", "클라우드 AWS 인프라", 'i', NULL},
	{"AI 개발자 취업 포트폴리오", "Portfolio for AI Developer Jobs", "취업 포트폴리오 프로젝트",
	 'i', "파이썬 데이터 분석"},
};

static const struct topic corporate[] = {
	{"생성형 AI 업무 활용", "Generative AI at Work", "생성형AI 업무 프롬프트", 'b', NULL},
	{"공무원을 위한 AI 행정 혁신", "AI for Public Administration", "공공 행정 혁신", 'b', NULL},
	{"AI 윤리와 개인정보 보호", "AI Ethics and Data Protection", "윤리 개인정보 법", 'b', NULL},
	{"공공 데이터 분석과 시각화", "Public Data Analysis and Visualisation",
	 "공공데이터 데이터 시각화", 'i', NULL},
	{"챗봇으로 바꾸는 민원 서비스", "Chatbots for Citizen Services", "챗봇 민원 자연어", 'i',
	 "생성형 AI 업무 활용"},
	{"스마트시티 데이터 활용", "Using Smart City Data", "스마트시티 데이터 교통", 'i',
	 "공공 데이터 분석과 시각화"},
	{"엑셀 사용자를 위한 파이썬 자동화", "Python Automation for Excel Users",
	 "파이썬 엑셀 자동화", 'i', NULL},
	{"제조 현장 AI 도입 전략", "AI Adoption Strategy for Manufacturing",
	 "제조 전략 스마트팩토리", 'i', NULL},
	{"리더를 위한 AI 전략", "AI Strategy for Leaders", "리더십 전략 경영", 'b', NULL},
};

/* The education office's own courses for teachers. */
static const struct topic teachers[] = {
	{"교원을 위한 AI 교육 역량", "AI Teaching Skills for Teachers", "교원 교육 수업", 'b', NULL},
	{"AI 디지털교과서 활용 수업", "Teaching with AI Digital Textbooks", "디지털교과서 교육 수업",
	 'b', NULL},
	{"AI 융합 수업 설계", "Designing AI-Integrated Lessons", "수업설계 교육 융합", 'i',
	 "교원을 위한 AI 교육 역량"},
	{"학교 행정 업무와 생성형 AI", "Generative AI for School Administration",
	 "행정 생성형AI 학교", 'b', NULL},
};

static const struct topic science[] = {
	{"엔트리로 배우는 코딩 (초등)", "Coding with Entry (elementary)", "코딩 엔트리 초등", 'b',
	 NULL},
	{"로봇과 함께하는 인공지능 (초등)", "AI with Robots (elementary)", "로봇 인공지능 초등", 'b',
	 NULL},
	{"인공지능 그림 놀이 (초등)", "Drawing with AI (elementary)", "그림 생성형AI 초등", 'b',
	 NULL},
	{"햄스터 로봇 코딩 교실 (초등)", "Hamster Robot Coding Class (elementary)",
	 "로봇 코딩 초등", 'b', "엔트리로 배우는 코딩 (초등)"},
	{"데이터로 보는 우리 동네 (초등)", "Our Neighbourhood in Data (elementary)",
	 "데이터 탐구 초등", 'b', NULL},
	{"마이크로비트 센서 탐구 (중등)", "Exploring Sensors with micro:bit (middle school)",
	 "마이크로비트 센서 중등", 'b', NULL},
	{"스크래치 인공지능 게임 만들기 (중등)", "Making AI Games in Scratch (middle school)",
	 "스크래치 게임 중등", 'b', NULL},
	{"파이썬 첫걸음 (중등)", "First Steps in Python (middle school)", "파이썬 코딩 중등", 'b',
	 NULL},
	{"자율주행 자동차 만들기 (중등)", "Building a Self-Driving Car (middle school)",
	 "자율주행 로봇 중등", 'i', "마이크로비트 센서 탐구 (중등)"},
	{"드론 코딩 챌린지 (고등)", "Drone Coding Challenge (high school)", "드론 코딩 고등", 'i',
	 NULL},
	{"머신러닝으로 하는 과학 탐구 (고등)", "Science Inquiry with Machine Learning (high school)",
	 "머신러닝 과학 고등", 'i', "파이썬 첫걸음 (중등)"},
	{"인공지능 과학골든벨 대비반 (고등)", "AI Science Golden Bell Prep (high school)",
	 "골든벨 퀴즈 고등", 'i', NULL},
};

static const struct topic university[] = {
	{"인공지능 개론", "Introduction to Artificial Intelligence", "인공지능 개론", 'b', NULL},
	{"AI를 위한 선형대수", "Linear Algebra for AI", "수학 선형대수", 'b', NULL},
	{"확률과 통계", "Probability and Statistics", "수학 통계", 'b', NULL},
	{"자료구조와 알고리즘", "Data Structures and Algorithms", "알고리즘 코딩", 'i', NULL},
	{"데이터베이스 설계", "Database Design", "데이터베이스 SQL", 'i', NULL},
	{"머신러닝", "Machine Learning", "머신러닝", 'i', "AI를 위한 선형대수"},
	{"딥러닝", "Deep Learning", "딥러닝 신경망", 'a', "머신러닝"},
	{"컴퓨터 비전", "Computer Vision", "비전 영상", 'a', "딥러닝"},
	{"자연어 처리", "Natural Language Processing", "자연어 언어모델", 'a', "딥러닝"},
	{"빅데이터 처리", "Big Data Processing", "빅데이터 분산처리", 'i', NULL},
	{"로봇 공학 입문", "Introduction to Robotics", "로봇 제어", 'i', NULL},
	{"클라우드 컴퓨팅", "Cloud Computing", "클라우드 인프라", 'i', NULL},
	{"AI 윤리와 사회", "AI Ethics and Society", "윤리 사회", 'b', NULL},
	{"AI 캡스톤 디자인", "AI Capstone Design", "캡스톤 프로젝트", 'a', "머신러닝"},
};

static const struct topic graduate[] = {
	{"고급 기계학습", "Advanced Machine Learning", "머신러닝 이론", 'a', NULL},
	{"심층 생성 모델", "Deep Generative Models", "생성모델 확산모델", 'a', "고급 기계학습"},
	{"강화학습", "Reinforcement Learning", "강화학습 의사결정", 'a', "고급 기계학습"},
	{"최적화 이론", "Optimisation Theory", "최적화 수학", 'a', NULL},
	{"그래프 신경망", "Graph Neural Networks", "그래프 신경망", 'a', NULL},
	{"대규모 언어 모델", "Large Language Models", "LLM 자연어", 'a', "고급 기계학습"},
	{"멀티모달 학습", "Multimodal Learning", "멀티모달 비전 언어", 'a', "대규모 언어 모델"},
	{"설명 가능한 인공지능", "Explainable AI", "XAI 신뢰성", 'a', NULL},
	{"AI 반도체와 하드웨어 가속", "AI Chips and Hardware Acceleration", "반도체 하드웨어", 'a',
	 NULL},
	{"로보틱스와 인공지능", "Robotics and AI", "로봇 제어 강화학습", 'a', "강화학습"},
	{"의료 영상 인공지능", "AI for Medical Imaging", "의료 영상", 'a', NULL},
	{"연합 학습과 프라이버시", "Federated Learning and Privacy", "연합학습 프라이버시", 'a',
	 NULL},
	{"베이지안 기계학습", "Bayesian Machine Learning", "베이지안 확률", 'a', NULL},
	{"컴퓨터 비전 특론", "Special Topics in Computer Vision", "비전 특론", 'a', NULL},
	{"자연어 처리 특론", "Special Topics in Natural Language Processing", "자연어 특론", 'a',
	 NULL},
	{"AI 연구 방법론", "AI Research Methods", "연구 논문", 'i', NULL},
};

static const struct topic online[] = {
	{"모두를 위한 인공지능", "AI for Everyone", "인공지능 교양", 'b', NULL},
	{"생성형 AI 활용법", "Using Generative AI", "생성형AI 활용", 'b', NULL},
	{"프롬프트 엔지니어링", "Prompt Engineering", "프롬프트 LLM", 'i', "생성형 AI 활용법"},
	{"파이썬 코딩 입문", "Introduction to Python Coding", "파이썬 코딩", 'b', NULL},
	{"데이터 과학 입문", "Introduction to Data Science", "데이터 과학", 'b', "파이썬 코딩 입문"},
	{"딥러닝 무크", "Deep Learning MOOC", "딥러닝 무크", 'i', "데이터 과학 입문"},
	{"AI와 함께하는 교육", "Teaching with AI", "교육 교사 수업", 'b', NULL},
	{"시니어를 위한 스마트폰 AI", "Smartphone AI for Seniors", "시니어 스마트폰", 'b', NULL},
	{"청소년 AI 윤리", "AI Ethics for Teens", "윤리 청소년", 'b', NULL},
	{"부모와 함께하는 AI 코딩", "AI Coding with Parents", "코딩 가족", 'b', NULL},
	{"인공지능 수학", "Mathematics for AI", "수학 선형대수", 'i', NULL},
	{"AI 보안 기초", "AI Security Basics", "보안 해킹", 'i', NULL},
};

static const struct topic startup[] = {
	{"AI 창업 아이디어 발굴", "Finding AI Startup Ideas", "창업 아이디어", 'b', NULL},
	{"AI 비즈니스 모델 설계", "Designing AI Business Models", "비즈니스모델 창업", 'b',
	 "AI 창업 아이디어 발굴"},
	{"린 스타트업과 MVP 만들기", "Lean Startup and Building an MVP", "MVP 린스타트업", 'i', NULL},
	{"데이터 기반 그로스 마케팅", "Data-Driven Growth Marketing", "마케팅 데이터", 'i', NULL},
	{"AI 스타트업 법률과 지식재산", "Law and IP for AI Startups", "법률 특허 지식재산", 'i', NULL},
	{"투자 유치와 IR 피칭", "Fundraising and Investor Pitching", "투자 IR 피칭", 'a',
	 "AI 비즈니스 모델 설계"},
	{"AI 제품 개발 실전", "Building AI Products", "제품 개발", 'a', NULL},
	{"글로벌 진출 전략", "Going Global", "글로벌 수출", 'a', NULL},
};

/* A programme's courses at one institution: topics[first .. first + n). */
struct track {
	const char *program, *institution;
	const char *code;          /* course code prefix */
	const char *ko, *en;       /* title prefix */
	const struct topic *topics;
	size_t first, n;
	const char *deliveries;    /* cycled over the courses: o(nline), f (offline), b(lended) */
	bool content;              /* with modules and lessons */
};

#define ALL(a) (a), 0, COUNT(a)

static const struct track tracks[] = {
	{"ai_academy", "gwangju_city", "AIA", "인공지능사관학교 ", "AI Academy: ", ALL(academy),
	 "fbfb", true},
	{"ai_academy", "gist", "AIA", "인공지능사관학교 ", "AI Academy: ", academy, 4, 6, "fb",
	 true},
	{"graduate_school", "gist", "AI", "", "", ALL(graduate), "ffbf", true},
	{"corporate_university", "gist", "CU", "인공지능 사내대학 ", "AI Corporate University: ",
	 corporate, 0, 6, "bob", true},
	{"online", "gist", "ON", "", "", online, 0, 6, "o", true},
	{"startup_support", "gist", "SU", "", "", startup, 2, 6, "bf", true},
	{"ai_do_dream", "gwangju_city", "ADD", "인공지능 두드림 ", "AI Do-Dream: ", ALL(do_dream),
	 "bfo", false},
	{"ai_do_dream", "chosun", "ADD", "인공지능 두드림 ", "AI Do-Dream: ", ALL(do_dream), "fbf",
	 false},
	{"ai_do_dream", "honam", "ADD", "인공지능 두드림 ", "AI Do-Dream: ", ALL(do_dream), "bof",
	 false},
	{"corporate_university", "gwangju_city", "CU", "인공지능 사내대학 ",
	 "AI Corporate University: ", ALL(corporate), "obb", false},
	{"corporate_university", "jnu", "CU", "인공지능 사내대학 ", "AI Corporate University: ",
	 corporate, 3, 6, "bbo", false},
	{"corporate_university", "gwangju_edu", "TCU", "인공지능 사내대학 ",
	 "AI Corporate University: ", ALL(teachers), "bo", false},
	{"science_academy", "gwangju_science", "SCI", "", "", ALL(science), "ffb", false},
	{"science_academy", "gwangju_edu", "SCI", "", "", science, 0, 6, "fb", false},
	{"science_academy", "gnue", "SCI", "", "", science, 6, 6, "ffo", false},
	{"university_track", "jnu", "AIC", "전남대 AI융합대학 ", "Chonnam AI Convergence College: ",
	 ALL(university), "ffbo", false},
	{"university_track", "chosun", "SWU", "조선대 SW중심대학 ",
	 "Chosun SW-Centred University: ", ALL(university), "fbf", false},
	{"university_track", "honam", "AIH", "호남대 AI중심대학 ",
	 "Honam AI-Centred University: ", ALL(university), "ffb", false},
	{"online", "gwangju_city", "ON", "", "", ALL(online), "o", false},
	{"online", "gnue", "ON", "", "", online, 6, 4, "o", false},
	{"online", "chosun", "ON", "", "", online, 9, 3, "o", false},
	{"startup_support", "gwangju_city", "SU", "인공지능 창업 지원 ", "AI Startup Support: ",
	 ALL(startup), "bfb", false},
	{"startup_support", "jnu", "SU", "", "", startup, 0, 6, "fb", false},
};

/* A regional centre's graduate courses for its region's industries. */
static const struct centre {
	const char *institution, *ko, *en;  /* region, as a title prefix */
	struct topic topics[4];
} centres[] = {
	{"kumoh", "경북", "Gyeongbuk",
	 {{"스마트 팩토리 AI", "Smart Factory AI", "스마트팩토리 제조", 'i', NULL},
	  {"머신 비전 품질 검사", "Machine Vision Quality Inspection", "비전 품질 검사", 'a',
	   "스마트 팩토리 AI"},
	  {"설비 예지보전", "Predictive Maintenance", "예지보전 설비 센서", 'a', NULL},
	  {"전자부품 공정 최적화", "Electronic Component Process Optimisation", "전자부품 공정", 'a',
	   NULL}}},
	{"deu", "부산", "Busan",
	 {{"항만 물류 AI", "Port Logistics AI", "항만 물류", 'i', NULL},
	  {"해양 데이터 분석", "Ocean Data Analysis", "해양 데이터", 'i', NULL},
	  {"스마트 항만 자동화", "Smart Port Automation", "항만 자동화", 'a', "항만 물류 AI"},
	  {"수산 유통 데이터", "Fisheries Distribution Data", "수산 유통 데이터", 'i', NULL}}},
	{"scnu", "전남", "Jeonnam",
	 {{"스마트 농업 AI", "Smart Farming AI", "농업 스마트팜", 'i', NULL},
	  {"석유화학 공정 AI", "Petrochemical Process AI", "석유화학 공정", 'a', NULL},
	  {"농생명 데이터 분석", "Agri-Bio Data Analysis", "농생명 데이터", 'i', NULL},
	  {"탄소중립 에너지 AI", "Carbon-Neutral Energy AI", "탄소중립 에너지", 'a', NULL}}},
	{"cbnu", "충북", "Chungbuk",
	 {{"반도체 공정 AI", "Semiconductor Process AI", "반도체 공정", 'a', NULL},
	  {"이차전지 제조 AI", "Battery Manufacturing AI", "이차전지 제조", 'a', NULL},
	  {"바이오 의약 데이터 분석", "Bio-Pharma Data Analysis", "바이오 의약 데이터", 'i', NULL},
	  {"태양광 발전 예측", "Solar Power Forecasting", "태양광 에너지 예측", 'i', NULL}}},
	{"tukorea", "경기", "Gyeonggi",
	 {{"스마트 제조 AI", "Smart Manufacturing AI", "제조 스마트팩토리", 'i', NULL},
	  {"금형 공정 데이터 분석", "Mould Process Data Analysis", "금형 뿌리산업 데이터", 'i', NULL},
	  {"협동 로봇 자동화", "Collaborative Robot Automation", "로봇 자동화", 'a', NULL},
	  {"제조 디지털 트윈", "Digital Twins for Manufacturing", "디지털트윈 시뮬레이션", 'a',
	   "스마트 제조 AI"}}},
	{"ssu", "서울", "Seoul",
	 {{"핀테크 AI", "Fintech AI", "핀테크 금융", 'i', NULL},
	  {"추천 시스템", "Recommender Systems", "추천 콘텐츠", 'a', NULL},
	  {"AI 보안", "AI for Cybersecurity", "보안 침입탐지", 'a', NULL},
	  {"미디어 콘텐츠 AI", "Media Content AI", "미디어 콘텐츠 생성형AI", 'i', NULL}}},
	{"pcu", "대전", "Daejeon",
	 {{"국방 AI", "Defence AI", "국방 영상", 'a', NULL},
	  {"공공 데이터 AI", "Public Data AI", "공공데이터 행정", 'i', NULL},
	  {"연구개발 데이터 분석", "R&D Data Analysis", "연구개발 데이터", 'i', NULL},
	  {"과학기술 문헌 분석 AI", "AI for Scientific Literature", "문헌 자연어", 'a', NULL}}},
	{"jnu", "광주", "Gwangju",
	 {{"AI 융합 자동차", "AI for Automotive Convergence", "자동차 모빌리티", 'a', NULL},
	  {"에너지 신산업 AI", "AI for New Energy Industries", "에너지 전력", 'a', NULL},
	  {"광융합 산업 AI", "AI for Photonics Industries", "광산업 광융합", 'a', NULL},
	  {"헬스케어 데이터 분석", "Healthcare Data Analysis", "헬스케어 의료 데이터", 'i', NULL}}},
	{"knu", "대구", "Daegu",
	 {{"의료 영상 AI", "Medical Imaging AI", "의료 영상", 'a', NULL},
	  {"미래차 부품 AI", "AI for Future Car Parts", "미래차 부품", 'a', NULL},
	  {"섬유 산업 데이터", "Textile Industry Data", "섬유 데이터", 'i', NULL},
	  {"로봇 산업 AI", "AI for the Robot Industry", "로봇 산업", 'i', NULL}}},
	{"unist", "울산", "Ulsan",
	 {{"제조 AI", "Manufacturing AI", "제조 공정", 'i', NULL},
	  {"스마트 조선", "Smart Shipbuilding", "조선 스마트야드", 'a', "제조 AI"},
	  {"석유화학 공정 최적화", "Petrochemical Process Optimisation", "석유화학 최적화", 'a',
	   NULL},
	  {"이차전지 소재 AI", "AI for Battery Materials", "이차전지 소재", 'a', NULL}}},
	{"inha", "인천", "Incheon",
	 {{"항공 물류 AI", "Air Logistics AI", "항공 물류", 'i', NULL},
	  {"바이오 의약 제조 AI", "Biopharmaceutical Manufacturing AI", "바이오 제조", 'a', NULL},
	  {"스마트 항만", "Smart Ports", "항만 물류", 'i', NULL},
	  {"물류 로봇", "Logistics Robots", "로봇 물류", 'a', "항공 물류 AI"}}},
	{"kangwon", "강원", "Gangwon",
	 {{"디지털 헬스케어", "Digital Healthcare", "헬스케어 의료", 'i', NULL},
	  {"관광 데이터 AI", "Tourism Data AI", "관광 데이터", 'i', NULL},
	  {"산림 재해 예측", "Forest Disaster Prediction", "산림 재해 예측", 'a', NULL},
	  {"의료기기 AI", "AI for Medical Devices", "의료기기 인허가", 'a', NULL}}},
	{"hoseo", "충남", "Chungnam",
	 {{"디스플레이 공정 AI", "Display Process AI", "디스플레이 공정", 'a', NULL},
	  {"자동차 부품 AI", "Automotive Parts AI", "자동차 부품", 'i', NULL},
	  {"스마트 팜", "Smart Farms", "스마트팜 농업", 'i', NULL},
	  {"수소 에너지 AI", "Hydrogen Energy AI", "수소 에너지", 'a', NULL}}},
	{"kyungnam", "경남", "Gyeongnam",
	 {{"스마트 조선·해양", "Smart Shipbuilding and Offshore", "조선 해양", 'a', NULL},
	  {"방산 제조 AI", "Defence Manufacturing AI", "방산 제조", 'a', NULL},
	  {"기계 산업 AI", "AI for the Machinery Industry", "기계 제조", 'i', NULL},
	  {"항공우주 부품 AI", "AI for Aerospace Parts", "항공우주 부품", 'a', "기계 산업 AI"}}},
	{"jbnu", "전북", "Jeonbuk",
	 {{"농생명 AI", "Agri-Bio AI", "농생명 농업", 'i', NULL},
	  {"탄소 소재 데이터", "Carbon Materials Data", "탄소소재 데이터", 'i', NULL},
	  {"상용차 자율주행", "Autonomous Commercial Vehicles", "자율주행 상용차", 'a', NULL},
	  {"새만금 재생에너지 AI", "Saemangeum Renewable Energy AI", "재생에너지 새만금", 'a', NULL}}},
};

/* Taught at every centre, after its own four. */
static const struct topic centre_common[] = {
	{"산업 AI 연구 방법론", "Research Methods for Industrial AI", "연구 방법론", 'i', NULL},
	{"재직자 AI 현장 프로젝트", "Workplace AI Project for Employees", "현장 프로젝트 재직자", 'a',
	 "산업 AI 연구 방법론"},
};

/* Who teaches: an institution's sections numbered offset, offset + every,
 * ... in the order they are made. A NULL name is an account seed_demo makes
 * (the demo instructor, home GIST, shared with Chonnam). */
static const struct staff {
	const char *email, *name, *institution;
	unsigned every, offset;
} staff[] = {
	{"instructor@example.com", NULL, "gist", 4, 0},
	{"instructor@example.com", NULL, "jnu", 6, 1},
	{"instructor2@example.com", "박서연 교수", "jnu", 2, 0},
	{"instructor3@example.com", "최민준 교수", "chosun", 1, 0},
	{"instructor4@example.com", "정하은 교수", "honam", 1, 0},
	{"instructor5@example.com", "강도윤 에듀케이터", "gwangju_science", 1, 0},
	{"instructor6@example.com", "윤지호 강사", "gwangju_city", 2, 0},
	{"instructor7@example.com", "한유진 교수", "unist", 1, 0},
	{"instructor8@example.com", "임수빈 교수", "gist", 2, 1},
};

/* Every instructor account's profile: home institution, expertise tags
 * (space-separated), bio, and the partners the home shares them with. */
static const struct profile {
	const char *email, *home, *expertise, *bio_ko, *bio_en, *shared_with;
} profiles[] = {
	{"instructor@example.com", "gist", "머신러닝 딥러닝 컴퓨터비전 PyTorch",
	 "GIST 인공지능대학원에서 딥러닝과 컴퓨터 비전을 가르칩니다. 전남대 AI융합대학과 공동 강의를 "
	 "맡고 있습니다.",
	 "Teaches deep learning and computer vision at the GIST Graduate School of AI, and "
	 "co-teaches with Chonnam's AI Convergence College.",
	 "jnu"},
	{"instructor2@example.com", "jnu", "자연어처리 머신러닝 데이터분석",
	 "전남대학교 AI융합대학 교수로 자연어 처리와 한국어 언어 모델을 연구합니다.",
	 "Professor at Chonnam's AI Convergence College, researching natural language processing "
	 "and Korean language models.",
	 "gist chosun"},
	{"instructor3@example.com", "chosun", "소프트웨어공학 클라우드 MLOps",
	 "조선대학교 SW중심대학에서 소프트웨어 공학과 MLOps를 가르칩니다.",
	 "Teaches software engineering and MLOps at Chosun University's SW-Centred University.",
	 "honam"},
	{"instructor4@example.com", "honam", "로봇 강화학습 임베디드",
	 "호남대학교 AI중심대학에서 지능형 로봇과 강화학습 실습을 지도합니다.",
	 "Leads intelligent-robotics and reinforcement-learning labs at Honam University's "
	 "AI-Centred University.",
	 ""},
	{"instructor5@example.com", "gwangju_science", "AI교육 코딩 메이커",
	 "국립광주과학관에서 어린이와 청소년에게 놀이와 체험으로 인공지능을 소개합니다.",
	 "Introduces children and teenagers to AI through play and hands-on activities at the "
	 "Gwangju National Science Museum.",
	 "gwangju_edu gnue"},
	{"instructor6@example.com", "gwangju_city", "생성형AI 데이터분석 창업",
	 "인공지능사관학교에서 구직자와 재직자의 현업 프로젝트를 이끄는 현장 강사입니다.",
	 "A practitioner who leads industry projects for job seekers and employees at the AI "
	 "Academy.",
	 "gist jnu"},
	{"instructor7@example.com", "unist", "제조AI 스마트팩토리 데이터분석",
	 "UNIST 지역지능화 혁신인재양성 센터에서 제조 현장 데이터 분석을 가르칩니다.",
	 "Teaches manufacturing data analytics at UNIST's Regional Intelligence Innovation Talent "
	 "centre.",
	 ""},
	{"instructor8@example.com", "gist", "강화학습 최적화 AI반도체",
	 "GIST에서 강화학습과 최적화, 인공지능 반도체를 연구하고 가르칩니다.",
	 "Researches and teaches reinforcement learning, optimisation and AI chips at GIST.",
	 "gwangju_city"},
};

static const struct {
	const char *institution, *ko, *en, *kind;
	int capacity;
	const char *location, *lent_to;  /* partners that may book it, space-separated */
} facilities[] = {
	{"gist", "AI대학원 세미나실", "AI Graduate School Seminar Room", "classroom", 40,
	 "AI대학원 2층", "jnu chosun"},
	{"gist", "GPU 실습실", "GPU Lab", "lab", 30, "AI대학원 3층", "jnu chosun honam"},
	{"gist", "강의 촬영 스튜디오", "Lecture Recording Studio", "studio", 6, "학술정보관 1층", ""},
	{"gist", "대강당", "Main Auditorium", "auditorium", 300, "대학본부", "gwangju_city gwangju_edu"},
	{"jnu", "AI융합대학 컴퓨터 실습실", "AI Convergence College Computer Lab", "lab", 40,
	 "공과대학 7호관", "gist"},
	{"jnu", "AI융합대학 201호 강의실", "AI Convergence College Room 201", "classroom", 50,
	 "공과대학 7호관 2층", ""},
	{"chosun", "SW중심대학 코딩 실습실", "SW-Centred University Coding Lab", "lab", 36,
	 "IT융합대학 4층", "honam"},
	{"honam", "AI중심대학 로봇 실습실", "AI-Centred University Robot Lab", "lab", 24,
	 "AI융합관 1층", "chosun gwangju_science"},
	{"gwangju_science", "AI 체험 교육실", "AI Discovery Classroom", "classroom", 30, "본관 2층",
	 "gwangju_edu gnue"},
	{"gwangju_science", "어린이 메이커 교실", "Children's Maker Room", "lab", 24,
	 "어린이과학관 1층", "gwangju_edu"},
	{"gwangju_science", "과학관 대강당", "Museum Auditorium", "auditorium", 200, "본관 1층", ""},
	{"gwangju_city", "인공지능사관학교 교육장 A", "AI Academy Training Hall A", "classroom", 40,
	 "광주 AI 집적단지", "gist jnu"},
	{"gwangju_city", "인공지능사관학교 교육장 B", "AI Academy Training Hall B", "lab", 40,
	 "광주 AI 집적단지", "gist"},
	{"gwangju_city", "AI 창업 지원 공간", "AI Startup Hub", "studio", 20, "광주 AI 집적단지",
	 "chosun honam"},
	{"gwangju_edu", "교육연수원 디지털 강의실", "Teacher Training Institute Digital Classroom",
	 "classroom", 35, "교육연수원", "gnue"},
	{"gnue", "AI 수업 연구실", "AI Teaching Lab", "lab", 25, "교육정보관", "gwangju_edu"},
	{"unist", "제조 AI 실증 랩", "Manufacturing AI Testbed Lab", "lab", 20, "", ""},
	{"deu", "항만 물류 데이터 랩", "Port Logistics Data Lab", "lab", 20, "", ""},
};

static const struct {
	const char *name, *ko, *en;
} levels[] = {
	{"beginner", "사전 지식 없이 시작할 수 있습니다.", "No prior knowledge is needed."},
	{"intermediate", "기초 과정을 마친 분께 맞습니다.",
	 "Suited to those who have completed the basics."},
	{"advanced", "관련 경험이 있는 분을 위한 심화 과정입니다.",
	 "An advanced course for those with relevant experience."},
}, deliveries[] = {
	{"online", "모든 수업을 온라인으로 듣습니다.", "All classes are online."},
	{"offline", "강의실에서 직접 만나 실습합니다.", "Classes meet in person for hands-on practice."},
	{"blended", "온라인 강의와 오프라인 실습을 함께 진행합니다.",
	 "Combines online lectures with in-person practice."},
};

/* Modules and lessons of a course with content; "{t}" and "{e}" stand for
 * the topic in Korean and English. */
static const struct {
	const char *ko, *en;
} module_tmpl[4] = {
	{"{t} 시작하기", "Getting Started with {e}"},
	{"핵심 개념", "Core Concepts"},
	{"실습 프로젝트", "Hands-on Project"},
	{"정리와 다음 단계", "Review and Next Steps"},
};

static const struct lesson_tmpl {
	const char *ko, *en, *kind;
	const char *url;  /* a link's; a video's is made per course */
	int minutes;
	const char *body;
} lesson_tmpl[4][3] = {
	{{"과정 안내", "About This Course", "text", NULL, 0,
	  "# 과정 안내\n\n"
	  "**{t}** 과정에 오신 것을 환영합니다.\n\n"
	  "## 학습 목표\n\n"
	  "- 핵심 개념을 자기 말로 설명할 수 있습니다\n"
	  "- 파이썬으로 작은 예제를 직접 구현합니다\n"
	  "- 배운 내용을 자신의 업무나 연구 문제에 적용할 계획을 세웁니다\n\n"
	  "## 진행 방식\n\n"
	  "1. 매주 강의 영상을 먼저 봅니다.\n"
	  "2. 실습 노트북을 따라 하며 코드를 실행합니다.\n"
	  "3. 궁금한 점은 질의응답 게시판에 남깁니다.\n\n"
	  "> 수료하려면 출석과 과제 제출 기준을 모두 채워야 합니다.\n"},
	 {"오리엔테이션", "Orientation", "video", NULL, 15,
	  "강사 소개와 한 학기 일정, 평가 방법을 안내합니다.\n"},
	 {"실습 환경 준비", "Setting Up Your Environment", "link",
	  "https://docs.python.org/ko/3/tutorial/", 0,
	  "## 실습 환경 준비\n\n"
	  "아래 순서로 가상 환경을 만들고 실습에 쓸 패키지를 설치하세요.\n\n"
	  "```bash\n"
	  "python3 -m venv .venv\n"
	  "source .venv/bin/activate\n"
	  "pip install numpy pandas scikit-learn jupyter\n"
	  "```\n\n"
	  "파이썬이 처음이라면 링크의 공식 자습서 1~5장을 먼저 읽어 보세요.\n"}},
	{{"{t}의 기본 개념", "Key Ideas of {e}", "text", NULL, 0,
	  "# {t}의 기본 개념\n\n"
	  "이번 주에는 {t}에서 자주 쓰는 개념을 데이터와 함께 살펴봅니다.\n\n"
	  "## 데이터는 숫자의 배열입니다\n\n"
	  "인공지능 모델이 다루는 데이터는 결국 숫자의 배열입니다. 표 데이터는 행렬로, 이미지는 "
	  "3차원 배열로 나타냅니다.\n\n"
	  "```python\n"
	  "import numpy as np\n\n"
	  "x = np.array([[1.0, 2.0], [3.0, 4.0]])\n"
	  "w = np.array([0.5, -0.25])\n"
	  "print(x @ w)  # 각 행과 가중치의 내적\n"
	  "```\n\n"
	  "## 기억할 용어\n\n"
	  "- **특성(feature)**: 모델에 넣는 값\n"
	  "- **레이블(label)**: 모델이 맞혀야 하는 값\n"
	  "- **일반화**: 처음 보는 데이터에서도 잘 맞히는 능력\n"},
	 {"개념 강의", "Concept Lecture", "video", NULL, 30,
	  "핵심 개념을 예제와 함께 설명합니다. 영상을 본 뒤 확인 문제를 풀어 보세요.\n"},
	 {"확인 문제와 토론", "Quiz and Discussion", "text", NULL, 0,
	  "## 확인 문제\n\n"
	  "1. 학습 데이터와 평가 데이터를 나누는 이유는 무엇일까요?\n"
	  "2. 모델이 과적합되었는지 어떻게 알 수 있을까요?\n\n"
	  "## 토론\n\n"
	  "이번 주 내용을 여러분의 업무나 생활에 적용할 수 있는 사례를 하나 찾아 게시판에 "
	  "공유해 주세요.\n"}},
	{{"실습: 데이터 준비", "Lab: Preparing the Data", "text", NULL, 0,
	  "# 실습: 데이터 준비\n\n"
	  "공개 데이터를 불러와 결측값을 확인하고 학습용과 평가용으로 나눕니다.\n\n"
	  "```python\n"
	  "import pandas as pd\n"
	  "from sklearn.model_selection import train_test_split\n\n"
	  "df = pd.read_csv(\"data.csv\")\n"
	  "print(df.isna().sum())\n\n"
	  "train, test = train_test_split(df, test_size=0.2, random_state=42)\n"
	  "```\n\n"
	  "- 결측값이 많은 열은 그 이유부터 살펴봅니다\n"
	  "- 평가용 데이터는 마지막 평가 전까지 건드리지 않습니다\n"},
	 {"실습: 모델 학습과 평가", "Lab: Training and Evaluating a Model", "text", NULL, 0,
	  "# 실습: 모델 학습과 평가\n\n"
	  "```python\n"
	  "from sklearn.ensemble import RandomForestClassifier\n"
	  "from sklearn.metrics import classification_report\n\n"
	  "model = RandomForestClassifier(n_estimators=200, random_state=42)\n"
	  "model.fit(X_train, y_train)\n"
	  "print(classification_report(y_test, model.predict(X_test)))\n"
	  "```\n\n"
	  "정확도만 보지 말고 정밀도와 재현율도 함께 확인하세요.\n"},
	 {"참고 문서: scikit-learn 사용자 가이드", "Reference: scikit-learn User Guide", "link",
	  "https://scikit-learn.org/stable/user_guide.html", 0,
	  "모델별 매개변수와 평가 지표는 공식 사용자 가이드에 정리되어 있습니다.\n"}},
	{{"미니 프로젝트", "Mini Project", "text", NULL, 0,
	  "# 미니 프로젝트\n\n"
	  "**{t}** 과정에서 배운 내용으로 작은 프로젝트를 완성합니다.\n\n"
	  "## 제출물\n\n"
	  "1. 문제 정의서 (한 쪽)\n"
	  "2. 실행할 수 있는 노트북 또는 코드 저장소\n"
	  "3. 5분 발표 자료\n\n"
	  "## 평가 기준\n\n"
	  "- 문제 정의의 명확성: 30%\n"
	  "- 구현의 완성도: 40%\n"
	  "- 발표와 질의응답: 30%\n"},
	 {"프로젝트 발표와 피드백", "Project Presentations and Feedback", "video", NULL, 40,
	  "팀별 발표 영상과 강사의 피드백입니다.\n"},
	 {"수료 안내", "Completion", "text", NULL, 0,
	  "## 수료 안내\n\n"
	  "- 출석과 과제 제출 기준을 채우면 수료증이 발급됩니다.\n"
	  "- 다음 단계 과정은 과정 목록에서 찾아보세요.\n"}},
};

/* A term of the academic year: 1 is March to June, 2 September to December. */
struct term {
	char name[16], starts_on[16], ends_on[16];
};

/* The rows being built, one JSON array per table. */
struct gen {
	const struct term *terms;  /* the next two */
	json_t *courses, *prereqs, *sections, *teaching, *modules, *lessons;
	size_t ncourses, nsections;
	unsigned seen[COUNT(staff)];  /* sections of each staff row's institution so far */
	bool oom;
};

static void push(struct gen *g, json_t *array, json_t *row)
{
	if (!row || json_array_append_new(array, row) != 0)
		g->oom = true;
}

/* The space-separated words of s, and extra unless NULL or among them, as a
 * new array. */
static json_t *words(const char *s, const char *extra)
{
	json_t *a = json_array();

	for (size_t n; a && *s; s += n + strspn(s + n, " ")) {
		n = strcspn(s, " ");
		if (n && json_array_append_new(a, json_stringn(s, n)) != 0)
			goto oom;
	}
	for (size_t i = 0; a && extra && i < json_array_size(a); i++)
		if (!strcmp(json_string_value(json_array_get(a, i)), extra))
			extra = NULL;
	if (a && extra && json_array_append_new(a, json_string(extra)) != 0)
		goto oom;
	return a;
oom:
	json_decref(a);
	return NULL;
}

/* tmpl with "{t}" replaced by ko and "{e}" by en, as a new string (free()
 * it), or NULL when out of memory. */
static char *fill(const char *tmpl, const char *ko, const char *en)
{
	size_t len = strlen(tmpl) + 1;
	char *out, *o;

	for (const char *p = tmpl; (p = strchr(p, '{')); p++)
		len += strlen(!strncmp(p, "{t}", 3) ? ko : !strncmp(p, "{e}", 3) ? en : "");
	if (!(out = o = malloc(len)))
		return NULL;
	while (*tmpl) {
		if (!strncmp(tmpl, "{t}", 3) || !strncmp(tmpl, "{e}", 3)) {
			o = stpcpy(o, tmpl[1] == 't' ? ko : en);
			tmpl += 3;
		} else {
			*o++ = *tmpl++;
		}
	}
	*o = '\0';
	return out;
}

/* The programme of code (every track names one of the table's). */
static const struct program *program_find(const char *code)
{
	for (size_t i = 0; i < COUNT(programs); i++)
		if (!strcmp(programs[i].code, code))
			return &programs[i];
	return &programs[0];
}

static size_t level_index(char level)
{
	return level == 'a' ? 2 : level == 'i' ? 1 : 0;
}

/* The code of topic i of t: prefix, level digit, number, e.g. AIA-204. */
static void course_code(const struct track *t, size_t i, char *code, size_t len)
{
	snprintf(code, len, "%s-%zu%02zu", t->code, level_index(t->topics[i].level) + 1, i + 1);
}

/* Adds a section of course code in term, and who teaches it. A demo section
 * has 30 seats and a window open from long ago to its last day. */
static void section_emit(struct gen *g, const struct track *t, const char *code,
			 const struct term *term, bool published, bool demo)
{
	static const char *const windows[] = {"open", "open", "upcoming", "open", "closed"};
	size_t s = g->nsections++;
	const char *status = "open", *window = demo ? "demo" : windows[s % COUNT(windows)];
	int capacity = demo ? 30 : 15 + (int)(s * 7 % 26);

	if (!published)
		status = "draft";
	else if (!demo && s % 19 == 4)
		status = "draft";
	else if (!demo && s % 23 == 9)
		status = "closed";
	else if (!demo && s % 29 == 13)
		status = "cancelled";
	push(g, g->sections,
	     json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "inst", t->institution, "code",
		       code, "term", term->name, "starts_on", term->starts_on, "ends_on",
		       term->ends_on, "capacity", capacity, "status", status, "win", window));
	for (size_t j = 0; j < COUNT(staff); j++) {
		if (strcmp(staff[j].institution, t->institution) != 0)
			continue;
		if (g->seen[j]++ % staff[j].every == staff[j].offset)
			push(g, g->teaching,
			     json_pack("{s:s, s:s, s:s, s:s}", "inst", t->institution, "code", code,
				       "term", term->name, "email", staff[j].email));
	}
}

static void content_emit(struct gen *g, const struct track *t, const char *code,
			 const struct topic *tp, size_t k)
{
	char url[256];

	for (size_t m = 0; m < 3 + k % 2; m++) {
		char *ko = fill(module_tmpl[m].ko, tp->ko, tp->en);
		char *en = fill(module_tmpl[m].en, tp->ko, tp->en);

		push(g, g->modules,
		     json_pack("{s:s, s:s, s:i, s:s, s:s}", "inst", t->institution, "code", code,
			       "pos", (int)m + 1, "title_ko", ko, "title_en", en));
		free(ko);
		free(en);
		for (size_t l = 0; l < 2 + (k + m) % 2; l++) {
			const struct lesson_tmpl *lt = &lesson_tmpl[m][l];
			char *body = fill(lt->body, tp->ko, tp->en);

			ko = fill(lt->ko, tp->ko, tp->en);
			en = fill(lt->en, tp->ko, tp->en);
			snprintf(url, sizeof(url), "https://video.example.com/lms/%s/%s/%zu-%zu",
				 t->institution, code, m + 1, l + 1);
			push(g, g->lessons,
			     json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s?, s:o}", "inst",
				       t->institution, "code", code, "module", (int)m + 1, "pos",
				       (int)l + 1, "title_ko", ko, "title_en", en, "kind", lt->kind,
				       "body", body,
				       "url", !strcmp(lt->kind, "video") ? url : lt->url,
				       "minutes",
				       lt->minutes ? json_integer(lt->minutes) : json_null()));
			free(body);
			free(ko);
			free(en);
		}
	}
}

static void course_emit(struct gen *g, const struct track *t, size_t i)
{
	const struct program *p = program_find(t->program);
	const struct topic *tp = &t->topics[i];
	size_t k = g->ncourses++, lv = level_index(tp->level);
	static const char codes[] = "ofb"; /* deliveries[] by letter */
	size_t dv = (size_t)(strchr(codes, t->deliveries[(i - t->first) % strlen(t->deliveries)]) -
			     codes);
	bool published = k % 31 != 17;
	char code[48], pre[48], title_ko[256], title_en[256], sum_ko[1024], sum_en[1024],
		desc[4096];

	course_code(t, i, code, sizeof(code));
	snprintf(title_ko, sizeof(title_ko), "%s%s", t->ko, tp->ko);
	snprintf(title_en, sizeof(title_en), "%s%s", t->en, tp->en);
	snprintf(sum_ko, sizeof(sum_ko), "%s — %s %s %s", tp->ko, p->pitch_ko, levels[lv].ko,
		 deliveries[dv].ko);
	snprintf(sum_en, sizeof(sum_en), "%s — %s %s %s", tp->en, p->pitch_en, levels[lv].en,
		 deliveries[dv].en);
	snprintf(desc, sizeof(desc),
		 "## 과정 소개\n\n%s\n\n## 프로그램\n\n%s: %s\n\n## Overview\n\n%s\n\n"
		 "## Programme\n\n%s: %s\n",
		 sum_ko, p->ko, p->summary_ko, sum_en, p->en, p->summary_en);
	push(g, g->courses,
	     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b}", "inst",
		       t->institution, "program", t->program, "code", code, "title_ko", title_ko,
		       "title_en", title_en, "summary_ko", sum_ko, "summary_en", sum_en,
		       "description", desc, "delivery", deliveries[dv].name, "level",
		       levels[lv].name, "tags", words(tp->tags, p->tag), "published",
		       published));
	for (size_t j = t->first; tp->after && j < t->first + t->n; j++) {
		if (strcmp(t->topics[j].ko, tp->after) != 0)
			continue;
		course_code(t, j, pre, sizeof(pre));
		push(g, g->prereqs,
		     json_pack("{s:s, s:s, s:s}", "inst", t->institution, "code", code, "pre", pre));
	}
	for (size_t term = 0; term < 2; term++) {
		if (term == 1 && k % 3 == 2)
			continue;
		section_emit(g, t, code, &g->terms[term], published,
			     published && term == 0 && i == t->first);
	}
	if (t->content)
		content_emit(g, t, code, tp, k);
}

static void track_emit(struct gen *g, const struct track *t)
{
	for (size_t i = t->first; i < t->first + t->n; i++)
		course_emit(g, t, i);
}

static void centre_emit(struct gen *g, const struct centre *c)
{
	struct topic all[COUNT(c->topics) + COUNT(centre_common)];
	char ko[64], en[64];
	struct track t = {"regional_center", c->institution, "RIC", ko, en, all, 0, COUNT(all),
			  "bbf", false};

	memcpy(all, c->topics, sizeof(c->topics));
	memcpy(all + COUNT(c->topics), centre_common, sizeof(centre_common));
	snprintf(ko, sizeof(ko), "%s ", c->ko);
	snprintf(en, sizeof(en), "%s: ", c->en);
	track_emit(g, &t);
}

/* The first two terms that start after today (in Korea). */
static int next_terms(struct db_conn *db, struct term terms[2], char *err, size_t errlen)
{
	PGresult *res = NULL;
	int rc;

	rc = db_exec(db, &res,
		     "SELECT y || '-' || t.n, to_char(t.s, 'YYYY-MM-DD'), to_char(t.e, 'YYYY-MM-DD')"
		     " FROM (SELECT (now() AT TIME ZONE 'Asia/Seoul')::date AS today) d,"
		     " generate_series(extract(year FROM d.today)::int,"
		     "  extract(year FROM d.today)::int + 1) y,"
		     " LATERAL (VALUES (1, make_date(y, 3, 2), make_date(y, 6, 20)),"
		     "  (2, make_date(y, 9, 1), make_date(y, 12, 20))) t(n, s, e)"
		     " WHERE t.s > d.today ORDER BY t.s LIMIT 2",
		     0, NULL);
	if (rc < 0)
		return seed_error(db, rc, err, errlen, "terms");
	for (int i = 0; i < 2; i++) {
		snprintf(terms[i].name, sizeof(terms[i].name), "%s", PQgetvalue(res, i, 0));
		snprintf(terms[i].starts_on, sizeof(terms[i].starts_on), "%s", PQgetvalue(res, i, 1));
		snprintf(terms[i].ends_on, sizeof(terms[i].ends_on), "%s", PQgetvalue(res, i, 2));
	}
	PQclear(res);
	return 0;
}

/* Runs sql with the JSON text of rows as $1. */
static int rows_load(struct db_conn *db, const char *what, const char *sql, json_t *rows,
		     char *err, size_t errlen)
{
	char *text = json_dumps(rows, JSON_COMPACT);
	int rc;

	if (!text)
		return seed_error(db, LMS_ENOMEM, err, errlen, what);
	rc = db_execf(db, NULL, sql, "s", text);
	free(text);
	return rc < 0 ? seed_error(db, rc, err, errlen, what) : 0;
}

/* The rows of the JSON array $1 as x, numbered in x.ordinality so that ids
 * follow the order they were made in. */
#define JSON_ROWS(columns)                                                               \
	" FROM ROWS FROM (json_to_recordset($1::json) AS (" columns "))"                 \
	" WITH ORDINALITY AS x"

/* Course and institution of a JSON row, by their codes. */
#define ROW_COURSE                                                                       \
	" JOIN institutions i ON i.code = x.inst"                                        \
	" JOIN courses c ON c.institution_id = i.id AND c.code = x.code"

/* What the regional centres recorded for the demo KPI report: papers (DOIs
 * under 10.5555, the prefix kept for examples), patents, technology-
 * transfer income and degree conferrals of 2025. */
static const char kpi_outputs[] =
	"[{\"inst\": \"jnu\", \"kind\": \"paper\", \"title\": \"자동차 부품 결함 탐지를 위한 경량 비전 모델\","
	"  \"doi\": \"10.5555/ric.jnu.2025.001\"},"
	" {\"inst\": \"jnu\", \"kind\": \"paper\", \"title\": \"전력 수요 예측을 위한 시계열 트랜스포머\","
	"  \"doi\": \"10.5555/ric.jnu.2025.002\"},"
	" {\"inst\": \"jnu\", \"kind\": \"patent\", \"title\": \"광소자 불량 판정 장치 및 방법\","
	"  \"patent\": \"10-2025-0012345\"},"
	" {\"inst\": \"jnu\", \"kind\": \"tech_transfer\", \"title\": \"모빌리티 데이터 분석 기술\","
	"  \"amount\": 30000000},"
	" {\"inst\": \"jnu\", \"kind\": \"graduate\", \"title\": \"2025년 8월 석사 학위수여\", \"count\": 6},"
	" {\"inst\": \"kumoh\", \"kind\": \"paper\", \"title\": \"설비 예지보전을 위한 진동 신호 학습\","
	"  \"doi\": \"10.5555/ric.kumoh.2025.001\"},"
	" {\"inst\": \"kumoh\", \"kind\": \"graduate\", \"title\": \"2025년 8월 석사 학위수여\", \"count\": 4},"
	" {\"inst\": \"unist\", \"kind\": \"tech_transfer\", \"title\": \"조선 용접 품질 예측 모델\","
	"  \"amount\": 50000000}]";

static const struct {
	const char *what, *sql;
} statements[] = {
	{"courses",
	 "INSERT INTO courses (institution_id, program_id, code, title_ko, title_en, summary_ko,"
	 " summary_en, description, delivery, level, tags, published)"
	 " SELECT i.id, p.id, x.code, x.title_ko, x.title_en, x.summary_ko, x.summary_en,"
	 " x.description, x.delivery, x.level, x.tags, x.published"
	 JSON_ROWS("inst text, program text, code text, title_ko text, title_en text,"
		   " summary_ko text, summary_en text, description text, delivery text,"
		   " level text, tags text[], published boolean")
	 " JOIN institutions i ON i.code = x.inst JOIN programs p ON p.code = x.program"
	 /* Checked first too: a conflicting row still computes its search
	  * columns, most of the cost of a second run. */
	 " WHERE NOT EXISTS (SELECT 1 FROM courses e WHERE e.institution_id = i.id"
	 "  AND e.code = x.code)"
	 " ORDER BY x.ordinality ON CONFLICT (institution_id, code) DO NOTHING"},
	{"prerequisites",
	 "INSERT INTO course_prerequisites (course_id, prerequisite_id) SELECT c.id, pre.id"
	 JSON_ROWS("inst text, code text, pre text") ROW_COURSE
	 " JOIN courses pre ON pre.institution_id = i.id AND pre.code = x.pre"
	 " ON CONFLICT DO NOTHING"},
	/* Windows are dates in Korea: opening at 09:00, closing at 18:00. */
	{"sections",
	 "INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
	 " enrollment_opens_at, enrollment_closes_at, status)"
	 " SELECT c.id, x.term, x.starts_on, x.ends_on, x.capacity,"
	 " (CASE x.win WHEN 'demo' THEN d.today - 365 WHEN 'upcoming' THEN d.today + 14"
	 "  WHEN 'closed' THEN d.today - 60 ELSE d.today - 10 END + time '09:00')"
	 "  AT TIME ZONE 'Asia/Seoul',"
	 " (CASE x.win WHEN 'demo' THEN x.ends_on"
	 "  WHEN 'upcoming' THEN greatest(x.starts_on, d.today + 28) + 14"
	 "  WHEN 'closed' THEN d.today - 1 ELSE x.starts_on + 14 END + time '18:00')"
	 "  AT TIME ZONE 'Asia/Seoul',"
	 " x.status"
	 JSON_ROWS("inst text, code text, term text, starts_on date, ends_on date,"
		   " capacity integer, status text, win text") ROW_COURSE
	 " CROSS JOIN (SELECT (now() AT TIME ZONE 'Asia/Seoul')::date AS today) d"
	 " WHERE NOT EXISTS (SELECT 1 FROM sections s WHERE s.course_id = c.id"
	 "  AND s.term = x.term)"
	 " ORDER BY x.ordinality"},
	{"section instructors",
	 "INSERT INTO section_instructors (section_id, user_id) SELECT s.id, u.id"
	 JSON_ROWS("inst text, code text, term text, email text") ROW_COURSE
	 " JOIN LATERAL (SELECT min(id) AS id FROM sections WHERE course_id = c.id"
	 "  AND term = x.term) s ON s.id IS NOT NULL"
	 " JOIN users u ON lower(u.email) = lower(x.email)"
	 " ON CONFLICT DO NOTHING"},
	{"modules",
	 "INSERT INTO course_modules (course_id, position, title_ko, title_en)"
	 " SELECT c.id, x.pos, x.title_ko, x.title_en"
	 JSON_ROWS("inst text, code text, pos integer, title_ko text, title_en text") ROW_COURSE
	 " WHERE NOT EXISTS (SELECT 1 FROM course_modules m WHERE m.course_id = c.id"
	 "  AND m.position = x.pos)"
	 " ORDER BY x.ordinality"},
	{"lessons",
	 "INSERT INTO lessons (module_id, position, title_ko, title_en, kind, body_md, url,"
	 " duration_min)"
	 " SELECT m.id, x.pos, x.title_ko, x.title_en, x.kind, x.body, x.url, x.minutes"
	 JSON_ROWS("inst text, code text, module integer, pos integer, title_ko text,"
		   " title_en text, kind text, body text, url text, minutes integer") ROW_COURSE
	 " JOIN LATERAL (SELECT min(id) AS id FROM course_modules WHERE course_id = c.id"
	 "  AND position = x.module) m ON m.id IS NOT NULL"
	 " WHERE NOT EXISTS (SELECT 1 FROM lessons l WHERE l.module_id = m.id"
	 "  AND l.position = x.pos)"
	 " ORDER BY x.ordinality"},
	{"facilities",
	 "INSERT INTO facilities (institution_id, name_ko, name_en, kind, capacity, location)"
	 " SELECT i.id, x.name_ko, x.name_en, x.kind, x.capacity, x.location"
	 JSON_ROWS("inst text, name_ko text, name_en text, kind text, capacity integer,"
		   " location text, lent_to text[]")
	 " JOIN institutions i ON i.code = x.inst"
	 " ORDER BY x.ordinality ON CONFLICT (institution_id, name_ko) DO NOTHING"},
	{"facility loans",
	 "INSERT INTO facility_loans (facility_id, institution_id) SELECT f.id, b.id"
	 JSON_ROWS("inst text, name_ko text, lent_to text[]")
	 " JOIN institutions i ON i.code = x.inst"
	 " JOIN facilities f ON f.institution_id = i.id AND f.name_ko = x.name_ko"
	 " CROSS JOIN LATERAL unnest(x.lent_to) AS l(code)"
	 " JOIN institutions b ON b.code = l.code"
	 " ON CONFLICT DO NOTHING"},
	/* A profile's home never changes: one that exists stays as it is. */
	{"instructor profiles",
	 "INSERT INTO instructors (user_id, home_institution_id, expertise, bio_ko, bio_en)"
	 " SELECT u.id, i.id, x.expertise, x.bio_ko, x.bio_en"
	 JSON_ROWS("email text, home text, expertise text[], bio_ko text, bio_en text,"
		   " shared_with text[]")
	 " JOIN users u ON lower(u.email) = lower(x.email) JOIN institutions i ON i.code = x.home"
	 " ORDER BY x.ordinality ON CONFLICT (user_id) DO NOTHING"},
	{"instructor shares",
	 "INSERT INTO instructor_shares (instructor_id, institution_id) SELECT n.user_id, p.id"
	 JSON_ROWS("email text, shared_with text[]")
	 " JOIN users u ON lower(u.email) = lower(x.email) JOIN instructors n ON n.user_id = u.id"
	 " CROSS JOIN LATERAL unnest(x.shared_with) AS s(code)"
	 " JOIN institutions p ON p.code = s.code AND p.id <> n.home_institution_id"
	 " ON CONFLICT DO NOTHING"},
	/* An output is known by its centre, year, kind and title. */
	{"kpi outputs",
	 "INSERT INTO kpi_outputs (institution_id, year, kind, title, doi, patent_number,"
	 " amount_krw, count) SELECT i.id, 2025, x.kind, x.title, x.doi, x.patent, x.amount,"
	 " x.count"
	 JSON_ROWS("inst text, kind text, title text, doi text, patent text, amount bigint,"
		   " count integer")
	 " JOIN institutions i ON i.code = x.inst"
	 " WHERE NOT EXISTS (SELECT 1 FROM kpi_outputs o WHERE o.institution_id = i.id"
	 "  AND o.year = 2025 AND o.kind = x.kind AND o.title = x.title)"
	 " ORDER BY x.ordinality ON CONFLICT DO NOTHING"},
};

int catalog_seed_programs_load(struct db_conn *db, char *err, size_t errlen)
{
	json_t *rows = json_array();
	int rc;

	for (size_t i = 0; rows && i < COUNT(programs); i++) {
		const struct program *p = &programs[i];

		if (json_array_append_new(
			    rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:o}", "code",
					    p->code, "name_ko", p->ko, "name_en", p->en,
					    "summary_ko", p->summary_ko, "summary_en", p->summary_en,
					    "stages", words(p->stages, NULL), "affiliation",
					    p->affiliation, "approval", p->approval, "min_attendance",
					    p->min_attendance ? json_integer(p->min_attendance)
							      : json_null())) != 0) {
			json_decref(rows);
			rows = NULL;
		}
	}
	if (!rows)
		return seed_error(db, LMS_ENOMEM, err, errlen, "programmes");
	rc = rows_load(
		db, "programmes",
		"INSERT INTO programs AS p (code, name_ko, name_en, summary_ko, summary_en,"
		" allowed_stages, affiliation_required, approval_required, min_attendance_pct)"
		" SELECT x.code, x.name_ko, x.name_en, x.summary_ko, x.summary_en,"
		" x.stages::ladder_stage[], x.affiliation, x.approval, x.min_attendance"
		" FROM json_to_recordset($1::json) AS x(code text, name_ko text, name_en text,"
		"  summary_ko text, summary_en text, stages text[], affiliation boolean,"
		"  approval boolean, min_attendance integer)"
		" ON CONFLICT (code) DO UPDATE SET name_ko = EXCLUDED.name_ko,"
		" name_en = EXCLUDED.name_en, summary_ko = EXCLUDED.summary_ko,"
		" summary_en = EXCLUDED.summary_en, allowed_stages = EXCLUDED.allowed_stages,"
		" affiliation_required = EXCLUDED.affiliation_required,"
		" approval_required = EXCLUDED.approval_required,"
		" min_attendance_pct = EXCLUDED.min_attendance_pct"
		" WHERE (p.name_ko, p.name_en, p.summary_ko, p.summary_en, p.allowed_stages,"
		"  p.affiliation_required, p.approval_required, p.min_attendance_pct)"
		"  IS DISTINCT FROM (EXCLUDED.name_ko, EXCLUDED.name_en, EXCLUDED.summary_ko,"
		"  EXCLUDED.summary_en, EXCLUDED.allowed_stages, EXCLUDED.affiliation_required,"
		"  EXCLUDED.approval_required, EXCLUDED.min_attendance_pct)",
		rows, err, errlen);
	json_decref(rows);
	return rc;
}

/* The instructor accounts the catalogue assigns, besides the demo one. */
static int staff_load(struct db_conn *db, int iterations, char *err, size_t errlen)
{
	bool created;
	int rc;

	for (size_t i = 0; i < COUNT(staff); i++) {
		struct seed_role role = {ROLE_INSTRUCTOR, staff[i].institution};

		if (staff[i].name &&
		    (rc = seed_account(db, staff[i].email, staff[i].name, "worker",
				       SEED_DEMO_PASSWORD, iterations, &role, 1, "lms seed --demo",
				       &created, err, errlen)) < 0)
			return rc;
	}
	return 0;
}

static json_t *facility_rows(void)
{
	json_t *rows = json_array();

	for (size_t i = 0; rows && i < COUNT(facilities); i++) {
		if (json_array_append_new(
			    rows, json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:o}", "inst",
					    facilities[i].institution, "name_ko", facilities[i].ko,
					    "name_en", facilities[i].en, "kind", facilities[i].kind,
					    "capacity", facilities[i].capacity, "location",
					    facilities[i].location, "lent_to",
					    words(facilities[i].lent_to, NULL))) != 0) {
			json_decref(rows);
			rows = NULL;
		}
	}
	return rows;
}

/* The profiles as rows of the statements that load them (new), or NULL. */
static json_t *profile_rows(void)
{
	json_t *rows = json_array(), *row;

	for (size_t i = 0; rows && i < COUNT(profiles); i++) {
		const struct profile *p = &profiles[i];

		row = json_pack("{s:s, s:s, s:o, s:s, s:s, s:o}", "email", p->email, "home", p->home,
				"expertise", words(p->expertise, NULL), "bio_ko", p->bio_ko,
				"bio_en", p->bio_en, "shared_with", words(p->shared_with, NULL));
		if (json_array_append_new(rows, row) != 0) {
			json_decref(rows);
			rows = NULL;
		}
	}
	return rows;
}

static void gen_release(struct gen *g)
{
	json_decref(g->courses);
	json_decref(g->prereqs);
	json_decref(g->sections);
	json_decref(g->teaching);
	json_decref(g->modules);
	json_decref(g->lessons);
}

int catalog_seed_demo_load(struct db_conn *db, int iterations, char *err, size_t errlen)
{
	struct term terms[2];
	struct gen g = {.terms = terms};
	json_t *facility = NULL, *faculty = NULL, *kpi = NULL;
	int rc;

	if ((rc = staff_load(db, iterations, err, errlen)) < 0 ||
	    (rc = next_terms(db, terms, err, errlen)) < 0)
		return rc;
	g.courses = json_array();
	g.prereqs = json_array();
	g.sections = json_array();
	g.teaching = json_array();
	g.modules = json_array();
	g.lessons = json_array();
	g.oom = !g.courses || !g.prereqs || !g.sections || !g.teaching || !g.modules || !g.lessons;
	for (size_t i = 0; !g.oom && i < COUNT(tracks); i++)
		track_emit(&g, &tracks[i]);
	for (size_t i = 0; !g.oom && i < COUNT(centres); i++)
		centre_emit(&g, &centres[i]);
	if (g.oom || !(facility = facility_rows()) || !(faculty = profile_rows()) ||
	    !(kpi = json_loads(kpi_outputs, 0, NULL))) {
		rc = seed_error(db, LMS_ENOMEM, err, errlen, "catalogue");
		goto out;
	}
	if ((rc = db_begin(db)) < 0) {
		rc = seed_error(db, rc, err, errlen, "begin");
		goto out;
	}
	/* Sections have no unique key to conflict on: two seeds at once must
	 * not both find a term missing. */
	if ((rc = db_exec(db, NULL, "SELECT pg_advisory_xact_lock(hashtext('lms seed'))", 0,
			  NULL)) < 0) {
		rc = seed_error(db, rc, err, errlen, "lock");
		goto out;
	}
	if ((rc = catalog_seed_programs_load(db, err, errlen)) < 0)
		goto out;
	{
		json_t *rows[] = {g.courses, g.prereqs, g.sections, g.teaching, g.modules,
				  g.lessons, facility,  facility,   faculty,    faculty,
				  kpi};

		_Static_assert(COUNT(rows) == COUNT(statements), "a row set per statement");
		for (size_t i = 0; i < COUNT(statements); i++)
			if ((rc = rows_load(db, statements[i].what, statements[i].sql, rows[i], err,
					    errlen)) < 0)
				goto out;
	}
	if ((rc = db_commit(db)) < 0)
		rc = seed_error(db, rc, err, errlen, "commit");
out:
	if (rc < 0)
		db_rollback(db);
	json_decref(facility);
	json_decref(faculty);
	json_decref(kpi);
	gen_release(&g);
	return rc;
}

int catalog_seed_bench_load(struct db_conn *db, long n, long *created, char *term,
			    size_t termlen, char *err, size_t errlen)
{
	struct term terms[2];
	PGresult *res = NULL;
	int rc;

	*created = 0;
	if (n < 1 || n > CATALOG_SEED_BENCH_MAX) {
		snprintf(err, errlen, "bench: the course count must be 1 to %ld",
			 CATALOG_SEED_BENCH_MAX);
		return LMS_EINVAL;
	}
	if ((rc = next_terms(db, terms, err, errlen)) < 0)
		return rc;
	snprintf(term, termlen, "%s", terms[0].name);
	/* One statement: the courses, then a section for each course made. */
	rc = db_execf(
		db, &res,
		"WITH p AS (SELECT array_agg(id ORDER BY id) AS ids FROM programs),"
		" i AS (SELECT array_agg(id ORDER BY id) AS ids FROM institutions),"
		" w AS (SELECT ARRAY['인공지능', '데이터', '로봇', '코딩', '딥러닝', '머신러닝',"
		"  '교육', '컴퓨터 비전'] AS ko, ARRAY['AI', 'Data', 'Robotics', 'Coding',"
		"  'Deep Learning', 'Machine Learning', 'Education', 'Computer Vision'] AS en),"
		" g AS (SELECT n, 'BENCH-' || lpad(n::text, 6, '0') AS code"
		"  FROM generate_series(1, $1::int) n),"
		" c AS (INSERT INTO courses (institution_id, program_id, code, title_ko, title_en,"
		"  summary_ko, summary_en, delivery, level, tags, published)"
		"  SELECT i.ids[1 + g.n % cardinality(i.ids)], p.ids[1 + g.n % cardinality(p.ids)],"
		"  g.code, '벤치마크 ' || w.ko[1 + g.n % 8] || ' 과정 ' || right(g.code, 6),"
		"  'Benchmark ' || w.en[1 + g.n % 8] || ' Course ' || right(g.code, 6),"
		"  '성능 측정용 합성 과정입니다.', 'A synthetic course for benchmarks.',"
		"  (ARRAY['online', 'offline', 'blended'])[1 + g.n % 3],"
		"  (ARRAY['beginner', 'intermediate', 'advanced'])[1 + g.n / 3 % 3],"
		"  ARRAY['bench', w.ko[1 + g.n % 8]], true"
		"  FROM g, p, i, w WHERE NOT EXISTS (SELECT 1 FROM courses x WHERE x.code = g.code)"
		"  ON CONFLICT (institution_id, code) DO NOTHING RETURNING id, code),"
		" s AS (INSERT INTO sections (course_id, term, starts_on, ends_on, capacity,"
		"  enrollment_opens_at, enrollment_closes_at, status)"
		"  SELECT c.id, $2, $3::date, $4::date, 20 + right(c.code, 6)::int % 21,"
		"  ((now() AT TIME ZONE 'Asia/Seoul')::date - 7 + time '09:00')"
		"   AT TIME ZONE 'Asia/Seoul',"
		"  ($3::date + 14 + time '18:00') AT TIME ZONE 'Asia/Seoul', 'open' FROM c"
		"  RETURNING 1)"
		" SELECT count(*) FROM s",
		"lsss", (long long)n, terms[0].name, terms[0].starts_on, terms[0].ends_on);
	if (rc < 0)
		return seed_error(db, rc, err, errlen, "bench");
	*created = (long)db_ll(res, 0, 0);
	PQclear(res);
	return 0;
}
