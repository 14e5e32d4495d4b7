/* certificate_pdf.c - a certificate as a PDF: cairo draws, pango shapes the
 * Korean text with the Nanum fonts (embedded by cairo as subsets),
 * libqrencode makes the QR code that cairo draws */
#include "lms/certificate/certificate.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "lms/core/err.h"

/* A4 in points. */
#define PAGE_W 595.28
#define PAGE_H 841.89

/* fontconfig and pango's font map are shared by every certificate and
 * made once; drawing runs one certificate at a time, so nothing of them is
 * used from two threads at once (certificates are rare, and a PDF takes
 * milliseconds). */
static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *font_map;

struct buf {
	unsigned char *data;
	size_t len, cap;
	bool failed;
};

static cairo_status_t buf_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct buf *b = closure;

	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64 * 1024;
		unsigned char *p;

		while (cap < b->len + len)
			cap *= 2;
		if (!(p = realloc(b->data, cap))) {
			b->failed = true;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return CAIRO_STATUS_SUCCESS;
}

struct png_src {
	const unsigned char *data;
	size_t len, at;
};

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int len)
{
	struct png_src *s = closure;

	if (s->len - s->at < len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, s->data + s->at, len);
	s->at += len;
	return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *png_load(const unsigned char *png, size_t len)
{
	struct png_src src = {png, len, 0};
	cairo_surface_t *s = cairo_image_surface_create_from_png_stream(png_read, &src);

	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(s);
		return NULL;
	}
	return s;
}

bool certificate_png_ok(const unsigned char *png, size_t len, int max_side)
{
	cairo_surface_t *s;
	bool ok;

	/* cairo reads any PNG libpng reads; the signature is checked first
	 * so nothing else is handed to it. */
	if (len < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0)
		return false;
	if (!(s = png_load(png, len)))
		return false;
	ok = cairo_image_surface_get_width(s) > 0 && cairo_image_surface_get_width(s) <= max_side &&
	     cairo_image_surface_get_height(s) > 0 && cairo_image_surface_get_height(s) <= max_side;
	cairo_surface_destroy(s);
	return ok;
}

/* Text of one style. */
struct style {
	const char *font;   /* Pango font description */
	double r, g, b;
};

static const struct style title_ko = {"NanumMyeongjo ExtraBold 44", 0.10, 0.16, 0.33};
static const struct style title_en = {"NanumMyeongjo Bold 15", 0.55, 0.42, 0.18};
static const struct style label_ko = {"NanumGothic Bold 11.5", 0.10, 0.16, 0.33};
static const struct style label_en = {"NanumGothic 7.5", 0.40, 0.40, 0.45};
static const struct style value_ko = {"NanumMyeongjo Bold 13", 0.08, 0.08, 0.10};
static const struct style value_en = {"NanumGothic 8.5", 0.35, 0.35, 0.40};
static const struct style body_ko = {"NanumMyeongjo 14", 0.08, 0.08, 0.10};
static const struct style body_en = {"NanumGothic 9.5", 0.30, 0.30, 0.35};
static const struct style sign_ko = {"NanumMyeongjo ExtraBold 20", 0.08, 0.08, 0.10};
static const struct style sign_en = {"NanumGothic 9", 0.30, 0.30, 0.35};
static const struct style small = {"NanumGothic 7.5", 0.35, 0.35, 0.40};
static const struct style serial_st = {"NanumGothicCoding Bold 9", 0.10, 0.16, 0.33};

/*
 * Draws text in style at (x, y) (top), width w wide (wrapped) aligned as
 * align says, letter-spaced by spacing points. Returns the height drawn.
 */
static double text(cairo_t *cr, PangoContext *ctx, const struct style *st, const char *s,
		   double x, double y, double w, PangoAlignment align, double spacing)
{
	PangoLayout *layout = pango_layout_new(ctx);
	PangoFontDescription *fd = pango_font_description_from_string(st->font);
	PangoAttrList *attrs = NULL;
	int pw, ph;

	pango_layout_set_font_description(layout, fd);
	pango_font_description_free(fd);
	if (spacing > 0) {
		attrs = pango_attr_list_new();
		pango_attr_list_insert(attrs,
				       pango_attr_letter_spacing_new((int)(spacing * PANGO_SCALE)));
		pango_layout_set_attributes(layout, attrs);
		pango_attr_list_unref(attrs);
	}
	pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(layout, align);
	pango_layout_set_text(layout, s, -1);
	pango_layout_get_size(layout, &pw, &ph);
	cairo_set_source_rgb(cr, st->r, st->g, st->b);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, layout);
	g_object_unref(layout);
	return (double)ph / PANGO_SCALE;
}

/* A label (Korean over English) and its value (Korean over English). */
static double field(cairo_t *cr, PangoContext *ctx, double y, const char *lko, const char *len,
		    const char *vko, const char *ven)
{
	const double lx = 96, vx = 200, vw = PAGE_W - 96 - vx;
	double hl, hv;

	hl = text(cr, ctx, &label_ko, lko, lx, y, 96, PANGO_ALIGN_LEFT, 3);
	hl += text(cr, ctx, &label_en, len, lx, y + hl + 1, 96, PANGO_ALIGN_LEFT, 0);
	hv = text(cr, ctx, &value_ko, vko, vx, y - 1, vw, PANGO_ALIGN_LEFT, 0);
	if (ven && *ven)
		hv += text(cr, ctx, &value_en, ven, vx, y + hv, vw, PANGO_ALIGN_LEFT, 0);
	return (hl > hv ? hl : hv) + 10;
}

static void frame(cairo_t *cr)
{
	/* A navy outer rule, a thin gold inner rule, gold corner marks. */
	cairo_set_source_rgb(cr, 0.10, 0.16, 0.33);
	cairo_set_line_width(cr, 5);
	cairo_rectangle(cr, 28, 28, PAGE_W - 56, PAGE_H - 56);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.72, 0.58, 0.29);
	cairo_set_line_width(cr, 1.2);
	cairo_rectangle(cr, 38, 38, PAGE_W - 76, PAGE_H - 76);
	cairo_stroke(cr);
	cairo_set_line_width(cr, 0.6);
	cairo_rectangle(cr, 42, 42, PAGE_W - 84, PAGE_H - 84);
	cairo_stroke(cr);
	for (int i = 0; i < 4; i++) {
		double x = i % 2 ? PAGE_W - 42 : 42, y = i / 2 ? PAGE_H - 42 : 42;
		double dx = i % 2 ? -1 : 1, dy = i / 2 ? -1 : 1;

		cairo_set_line_width(cr, 2);
		cairo_move_to(cr, x + dx * 4, y + dy * 30);
		cairo_line_to(cr, x + dx * 4, y + dy * 4);
		cairo_line_to(cr, x + dx * 30, y + dy * 4);
		cairo_stroke(cr);
	}
}

/* The QR code of url, size points wide, its top left at (x, y), with a
 * quiet zone of four modules inside size. */
static int qr(cairo_t *cr, const char *url, double x, double y, double size)
{
	QRcode *code = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	double m;

	if (!code)
		return LMS_EINVAL;
	m = size / (code->width + 8);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int r = 0; r < code->width; r++)
		for (int c = 0; c < code->width; c++)
			if (code->data[r * code->width + c] & 1)
				cairo_rectangle(cr, x + (c + 4) * m, y + (r + 4) * m, m, m);
	cairo_fill(cr);
	QRcode_free(code);
	return 0;
}

/* "2026-03-02" as "2026년 3월 2일" (ko) or "2 March 2026" (en). */
static void date_words(const char *iso, bool ko, char *out, size_t len)
{
	static const char *const months[] = {"January", "February", "March", "April",
					     "May", "June", "July", "August",
					     "September", "October", "November", "December"};
	int y = 0, m = 0, d = 0;

	if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12) {
		snprintf(out, len, "%s", iso);
		return;
	}
	if (ko)
		snprintf(out, len, "%d년 %d월 %d일", y, m, d);
	else
		snprintf(out, len, "%d %s %d", d, months[m - 1], y);
}

static void draw(cairo_t *cr, PangoContext *ctx, const struct certificate_doc *d,
		 cairo_surface_t *seal, int *rc)
{
	char line[2048], from[64], to[64], from_en[64], to_en[64], issued[256], issued_en[64];
	double y, h;

	frame(cr);
	/* The number, as Korean certificates carry it: 제 ... 호. */
	snprintf(line, sizeof(line), "제 %s 호", d->serial);
	text(cr, ctx, &serial_st, line, 60, 58, 300, PANGO_ALIGN_LEFT, 0);
	text(cr, ctx, &small, "Certificate No.", 60, 72, 300, PANGO_ALIGN_LEFT, 0);

	y = 92;
	y += text(cr, ctx, &title_ko, "수 료 증", 0, y, PAGE_W, PANGO_ALIGN_CENTER, 18);
	y += text(cr, ctx, &title_en, "CERTIFICATE OF COMPLETION", 0, y + 2, PAGE_W,
		  PANGO_ALIGN_CENTER, 2.5);
	/* A short gold rule under the title. */
	cairo_set_source_rgb(cr, 0.72, 0.58, 0.29);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, PAGE_W / 2 - 60, y + 16);
	cairo_line_to(cr, PAGE_W / 2 + 60, y + 16);
	cairo_stroke(cr);

	y += 34;
	date_words(d->starts_on, true, from, sizeof(from));
	date_words(d->ends_on, true, to, sizeof(to));
	date_words(d->starts_on, false, from_en, sizeof(from_en));
	date_words(d->ends_on, false, to_en, sizeof(to_en));
	y += field(cr, ctx, y, "성명", "Name", d->learner_name, NULL);
	y += field(cr, ctx, y, "과정명", "Course", d->course_title_ko, d->course_title_en);
	y += field(cr, ctx, y, "프로그램", "Programme", d->program_name_ko, d->program_name_en);
	snprintf(line, sizeof(line), "%s ~ %s", from, to);
	snprintf(issued, sizeof(issued), "%s – %s", from_en, to_en);
	y += field(cr, ctx, y, "교육기간", "Period", line, issued);
	if (d->attendance_pct)
		snprintf(line, sizeof(line), "%s시간 (출석률 %s%%)", d->hours, d->attendance_pct);
	else
		snprintf(line, sizeof(line), "%s시간", d->hours);
	if (d->attendance_pct)
		snprintf(issued, sizeof(issued), "%s hours, attendance %s%%", d->hours,
			 d->attendance_pct);
	else
		snprintf(issued, sizeof(issued), "%s hours", d->hours);
	y += field(cr, ctx, y, "교육시간", "Hours", line, issued);

	y += 10;
	/* Broken where a Korean reader expects, not wherever the width ends. */
	snprintf(line, sizeof(line),
		 "위 사람은 %s에서 운영한\n「%s」 과정을\n성실히 이수하였으므로 이 증서를 수여합니다.",
		 d->institution_name_ko, d->course_title_ko);
	h = text(cr, ctx, &body_ko, line, 70, y, PAGE_W - 140, PANGO_ALIGN_CENTER, 0);
	y += h + 8;
	snprintf(line, sizeof(line),
		 "This is to certify that the person named above has successfully completed "
		 "the course \u201c%s\u201d offered by %s.",
		 d->course_title_en, d->institution_name_en);
	y += text(cr, ctx, &body_en, line, 100, y, PAGE_W - 200, PANGO_ALIGN_CENTER, 0);

	y += 22;
	date_words(d->issued_on, true, issued, sizeof(issued));
	date_words(d->issued_on, false, issued_en, sizeof(issued_en));
	y += text(cr, ctx, &body_ko, issued, 0, y, PAGE_W, PANGO_ALIGN_CENTER, 2);
	y += text(cr, ctx, &body_en, issued_en, 0, y + 2, PAGE_W, PANGO_ALIGN_CENTER, 0);

	/* The signatory, the seal over the end of the name as a stamp sits. */
	y += 20;
	snprintf(line, sizeof(line), "%s%s%s", d->signatory_title_ko,
		 d->signatory_name_ko ? "  " : "", d->signatory_name_ko ? d->signatory_name_ko : "");
	h = text(cr, ctx, &sign_ko, line, 0, y, PAGE_W, PANGO_ALIGN_CENTER, 4);
	{
		PangoLayout *l = pango_layout_new(ctx);
		PangoFontDescription *fd = pango_font_description_from_string(sign_ko.font);
		int pw, ph;

		pango_layout_set_font_description(l, fd);
		pango_font_description_free(fd);
		pango_layout_set_text(l, line, -1);
		pango_layout_get_size(l, &pw, &ph);
		g_object_unref(l);
		if (seal) {
			double sw = cairo_image_surface_get_width(seal);
			double sh = cairo_image_surface_get_height(seal);
			double side = 64, scale = side / (sw > sh ? sw : sh);
			double sx = PAGE_W / 2 + (double)pw / PANGO_SCALE / 2 + 4 - side / 2 + 18;

			cairo_save(cr);
			cairo_translate(cr, sx, y + h / 2 - side / 2);
			cairo_scale(cr, scale, scale);
			cairo_set_source_surface(cr, seal, 0, 0);
			cairo_paint_with_alpha(cr, 0.9);
			cairo_restore(cr);
		} else {
			/* No seal uploaded: the place of the stamp, as 직인 생략
			 * ("seal omitted") is printed on certificates issued
			 * electronically. */
			text(cr, ctx, &small, "(직인 생략)",
			     PAGE_W / 2 + (double)pw / PANGO_SCALE / 2 + 8, y + h / 2 - 5, 80,
			     PANGO_ALIGN_LEFT, 0);
		}
	}
	y += h;
	snprintf(line, sizeof(line), "%s%s%s", d->signatory_name_en ? d->signatory_name_en : "",
		 d->signatory_name_en ? ", " : "", d->signatory_title_en);
	text(cr, ctx, &sign_en, line, 0, y + 2, PAGE_W, PANGO_ALIGN_CENTER, 0);

	/* Verification: the QR code at the foot, with the URL and serial. */
	/* A thin rule above the foot. */
	cairo_set_source_rgb(cr, 0.72, 0.58, 0.29);
	cairo_set_line_width(cr, 0.5);
	cairo_move_to(cr, 60, PAGE_H - 146);
	cairo_line_to(cr, PAGE_W - 60, PAGE_H - 146);
	cairo_stroke(cr);
	if ((*rc = qr(cr, d->verify_url, 56, PAGE_H - 138, 80)) < 0)
		return;
	text(cr, ctx, &label_ko, "진위 확인", 146, PAGE_H - 128, 320, PANGO_ALIGN_LEFT, 2);
	text(cr, ctx, &small,
	     "이 수료증은 QR 코드 또는 아래 주소에서 누구나 확인할 수 있습니다.\n"
	     "Anyone can verify this certificate with the QR code or at the address below.",
	     146, PAGE_H - 110, 390, PANGO_ALIGN_LEFT, 0);
	text(cr, ctx, &serial_st, d->verify_url, 146, PAGE_H - 80, 390, PANGO_ALIGN_LEFT, 0);
}

int certificate_pdf_render(const struct certificate_doc *doc, unsigned char **pdf, size_t *len)
{
	struct buf out = {0};
	cairo_surface_t *surface = NULL, *seal = NULL;
	PangoContext *ctx = NULL;
	cairo_t *cr = NULL;
	int rc = 0;

	*pdf = NULL;
	*len = 0;
	pthread_mutex_lock(&render_lock);
	if (!font_map && !(font_map = pango_cairo_font_map_new())) {
		rc = LMS_EIO;
		goto out;
	}
	surface = cairo_pdf_surface_create_for_stream(buf_write, &out, PAGE_W, PAGE_H);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		rc = LMS_EIO;
		goto out;
	}
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "수료증 Certificate of Completion");
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, doc->serial);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR,
				       doc->institution_name_ko);
	cr = cairo_create(surface);
	ctx = pango_font_map_create_context(font_map);
	pango_cairo_update_context(cr, ctx);
	/* Outlines, not hinted for a screen: the PDF is printed. */
	{
		cairo_font_options_t *fo = cairo_font_options_create();

		cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
		cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
		pango_cairo_context_set_font_options(ctx, fo);
		cairo_font_options_destroy(fo);
	}
	/* A faint ivory paper. */
	cairo_set_source_rgb(cr, 1.0, 0.992, 0.965);
	cairo_paint(cr);
	if (doc->seal_png)
		seal = png_load(doc->seal_png, doc->seal_len);
	draw(cr, ctx, doc, seal, &rc);
	if (rc < 0)
		goto out;
	cairo_show_page(cr);
	cairo_destroy(cr);
	cr = NULL;
	cairo_surface_finish(surface);
	if (out.failed)
		rc = LMS_ENOMEM;
	else if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
		rc = LMS_EIO;
out:
	if (cr)
		cairo_destroy(cr);
	if (ctx)
		g_object_unref(ctx);
	if (seal)
		cairo_surface_destroy(seal);
	if (surface) {
		cairo_surface_finish(surface);
		cairo_surface_destroy(surface);
	}
	pthread_mutex_unlock(&render_lock);
	if (rc < 0) {
		free(out.data);
		return rc;
	}
	*pdf = out.data;
	*len = out.len;
	return 0;
}
