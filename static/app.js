// app.js - language switch (persisted) and the service status line
const strings = {
  ko: {
    title: '광주 AI 인재 플랫폼',
    intro: '광주 인공지능 인재 양성 사다리와 지역지능화 혁신인재양성 사업의 강좌, 수강신청, 강의 자료와 보고서를 한곳에서 제공합니다.',
    status: '서비스 상태',
    checking: '확인 중…',
    ready: '정상 운영 중입니다.',
    notReady: '일시적으로 이용할 수 없습니다. 잠시 후 다시 시도해 주세요.',
    switchTo: 'English',
  },
  en: {
    title: 'Gwangju AI Talent Platform',
    intro: 'Courses, enrolment, course material and reports of the Gwangju AI talent ladder and the national Regional Intelligence Innovation Talent programme, in one place.',
    status: 'Service status',
    checking: 'Checking…',
    ready: 'All systems running.',
    notReady: 'Temporarily unavailable. Please try again shortly.',
    switchTo: '한국어',
  },
};

let lang = localStorage.getItem('lang') === 'en' ? 'en' : 'ko';
let state = 'checking';

function render() {
  const t = strings[lang];
  document.documentElement.lang = lang;
  document.title = t.title;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t[el.dataset.i18n];
  }
  const status = document.getElementById('status');
  status.textContent = t[state];
  status.className = state === 'ready' ? 'ok' : state === 'notReady' ? 'bad' : '';
  const button = document.getElementById('lang');
  button.textContent = t.switchTo;
  button.setAttribute('aria-label', t.switchTo);
}

async function checkStatus() {
  try {
    const res = await fetch('/readyz', { headers: { Accept: 'application/json' } });
    state = res.ok ? 'ready' : 'notReady';
  } catch {
    state = 'notReady';
  }
  render();
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'ko' ? 'en' : 'ko';
  localStorage.setItem('lang', lang);
  render();
});

render();
checkStatus();
