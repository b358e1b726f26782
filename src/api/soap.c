/*
 * soap.c — the SOAP WebService: SOAP 1.1, rpc/encoded, every part an
 * xsd:string, as PHP's SoapClient expects from the manual's example
 *   $client = new SoapClient("http://host:4580/coccwi.php?wsdl");
 *   echo $client->login('demo', 'agent', '8001', 'plaintext', '8001');
 *
 * Requests are read positionally: the children of the method element, in
 * order, map onto the row's SOAP parameter order (or the asterCC 2.1 order
 * where the argument count says so); element names are not trusted, since
 * clients name them differently. The WSDL is generated from the table.
 *
 * XML safety: at most HTTPD_MAX_BODY bytes of UTF-8 (ASCII-compatible, so
 * a byte scan sees every DOCTYPE); any document carrying a DOCTYPE is
 * refused before parsing, and again after, should one slip past; libxml2
 * parses with network access off, no DTD loading and no entity
 * substitution (no XXE, no entity expansion).
 */
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <re.h>
#define LOG_TOPIC "api.soap"
#include "base/log.h"
#include "base/conf.h"
#include "api/api.h"
#include "api/dispatch.h"
#include "api/soap.h"

static const char ns_env[] = "http://schemas.xmlsoap.org/soap/envelope/";

static const char xml_ctype[] = "text/xml; charset=utf-8";

static int xml_escape(struct re_printf *pf, const char *s, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++) {
		switch (s[i]) {
		case '<':  err = re_hprintf(pf, "&lt;"); break;
		case '>':  err = re_hprintf(pf, "&gt;"); break;
		case '&':  err = re_hprintf(pf, "&amp;"); break;
		case '"':  err = re_hprintf(pf, "&quot;"); break;
		case '\'': err = re_hprintf(pf, "&apos;"); break;
		default:   err = re_hprintf(pf, "%c", s[i]);
		}
	}
	return err;
}

static int xml_escape_h(struct re_printf *pf, void *arg)
{
	const char *s = arg;
	return xml_escape(pf, s, strlen(s));
}

/* Render a result with h, then XML-escape it into pf. */
static int escaped(struct re_printf *pf, re_printf_h *h, void *arg)
{
	char *s = NULL;
	int err = re_sdprintf(&s, "%H", h, arg);

	if (!err)
		err = xml_escape(pf, s, str_len(s));
	mem_deref(s);
	return err;
}

static int soap_escaped_retuen(struct re_printf *pf, void *arg)
{
	return escaped(pf, render_retuen, arg);
}

static int soap_escaped_plain(struct re_printf *pf, void *arg)
{
	return escaped(pf, render_plain, arg);
}

static void fault(struct http_resp *resp, const char *code, const char *text)
{
	http_resp_set(resp, 500, xml_ctype,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"%s\">"
		"<SOAP-ENV:Body><SOAP-ENV:Fault>"
		"<faultcode>SOAP-ENV:%s</faultcode>"
		"<faultstring>%H</faultstring>"
		"</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>\n",
		ns_env, code, xml_escape_h, (void *)text);
}

static bool is_elem(const xmlNode *n, const char *local)
{
	return n && n->type == XML_ELEMENT_NODE &&
		!strcmp((const char *)n->name, local);
}

static const xmlNode *first_elem(const xmlNode *n)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

/* The method element inside Envelope/Body, or NULL. */
static const xmlNode *soap_method(const xmlDoc *doc)
{
	const xmlNode *env = xmlDocGetRootElement(doc), *body;

	if (!is_elem(env, "Envelope") || !env->ns ||
	    strcmp((const char *)env->ns->href, ns_env))
		return NULL;
	for (body = first_elem(env->children); body;
	     body = first_elem(body->next))
		if (is_elem(body, "Body"))
			return first_elem(body->children);
	return NULL;
}

/* The raw-byte DOCTYPE scan below is only sound for ASCII-compatible
 * encodings: refuse anything else (UTF-16/32 carry NUL bytes; EBCDIC does
 * not start with '<'). SOAP clients send UTF-8. */
static bool ascii_compatible(const char *body, size_t len)
{
	size_t i = 0;

	if (memchr(body, 0, len))
		return false;
	if (len >= 3 && !memcmp(body, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
			   body[i] == '\r' || body[i] == '\n'))
		i++;
	return i < len && body[i] == '<';
}

static bool has_doctype(const char *body, size_t len)
{
	static const char needle[] = "<!doctype";
	size_t n = sizeof(needle) - 1;

	for (size_t i = 0; i + n <= len; i++)
		if (!strncasecmp(body + i, needle, n))
			return true;
	return false;
}

static bool is_nil(const xmlNode *n)
{
	static const char ns_xsi[] = "http://www.w3.org/2001/XMLSchema-instance";

	for (const xmlAttr *a = n->properties; a; a = a->next) {
		if (strcmp((const char *)a->name, "nil") || !a->ns ||
		    strcmp((const char *)a->ns->href, ns_xsi))
			continue;
		const xmlNode *v = a->children;
		return v && v->content &&
			(!strcmp((const char *)v->content, "true") ||
			 !strcmp((const char *)v->content, "1"));
	}
	return false;
}

void soap_call_free(struct soap_call *c)
{
	for (size_t i = 0; i < c->n; i++)
		xmlFree(c->texts[i]);
	if (c->doc)
		xmlFreeDoc(c->doc);
	memset(c, 0, sizeof(*c));
}

int soap_call_parse(struct soap_call *c, const char *body, size_t len,
		    const char **why)
{
	const xmlNode *method = NULL, *arg;
	size_t nreal = 0;

	memset(c, 0, sizeof(*c));
	*why = NULL;
	if (!len || len > HTTPD_MAX_BODY)
		*why = "empty or oversized request";
	else if (!ascii_compatible(body, len))
		*why = "request must be UTF-8 XML";
	else if (has_doctype(body, len))
		*why = "DOCTYPE not allowed";
	if (*why)
		return EINVAL;
	c->doc = xmlReadMemory(body, (int)len, "request.xml", NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR |
			       XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!c->doc)
		*why = "malformed XML";
	else if (c->doc->intSubset || c->doc->extSubset)
		*why = "DOCTYPE not allowed";
	else if (!(method = soap_method(c->doc)))
		*why = "not a SOAP 1.1 envelope with a body";
	if (*why) {
		soap_call_free(c);
		return EINVAL;
	}
	c->method = (const char *)method->name;
	for (arg = first_elem(method->children); arg;
	     arg = first_elem(arg->next)) {
		if (c->n == SOAP_MAX_ARGS) {
			*why = "too many arguments";
			soap_call_free(c);
			return E2BIG;
		}
		c->texts[c->n] = xmlNodeGetContent(arg);
		c->vals[c->n] = c->texts[c->n] ? (const char *)c->texts[c->n]
					       : "";
		c->n++;
		if (!is_nil(arg))
			nreal = c->n;
	}
	/* SoapClient sends every WSDL part and marks the ones the caller left
	 * out xsi:nil; the caller's arity (asterCC's shorter prototypes) is
	 * the count up to the last part actually given. */
	while (c->n > nreal) {
		c->n--;
		xmlFree(c->texts[c->n]);
		c->texts[c->n] = NULL;
	}
	return 0;
}

void soap_handle(struct api *api, const struct http_req *req,
		 struct http_resp *resp, const char *service)
{
	struct dispatch_args da;
	struct op_result res;
	struct render_args ra;
	struct soap_call call;
	struct auth_wait *wait;
	const struct op *op;
	const char *why;

	if (soap_call_parse(&call, req->body, req->body_len, &why)) {
		if (!strcmp(why, "DOCTYPE not allowed"))
			OCC_WARN("refused a SOAP request with a DOCTYPE");
		fault(resp, "Client", why);
		return;
	}
	op = op_find_soap(call.method);
	if (!op) {
		fault(resp, "Client", "unknown method");
		goto out;
	}
	if (!dispatch_args_positional(&da, op, call.vals, call.n)) {
		fault(resp, "Client", "too many arguments");
		goto out;
	}
	da.peer = &req->peer;
	res_init(&res);
	wait = dispatch_run(api->occ, op, &da, &res);
	if (wait && api_park(api, req, wait, &res)) {
		res_reset(&res);
		goto out;
	}
	res.already = false;    /* code 3 is the Script interface's */
	ra = (struct render_args){ .op = op, .res = &res,
		.lang = api->cfg->message_lang };
	http_resp_set(resp, 200, xml_ctype,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"%s\""
		" xmlns:ns1=\"urn:%s\""
		" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
		" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
		" xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\""
		" SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
		"<SOAP-ENV:Body><ns1:%sResponse>"
		"<return xsi:type=\"xsd:string\">%H</return>"
		"</ns1:%sResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>\n",
		ns_env, service, call.method,
		(op->flags & OPF_PLAIN_SOAP) ? soap_escaped_plain
					     : soap_escaped_retuen, &ra,
		call.method);
	res_reset(&res);
 out:
	soap_call_free(&call);
}

/* ---- WSDL ------------------------------------------------------------- */

static int wsdl_messages(struct re_printf *pf, const struct op *op,
			 const char *name)
{
	int err = re_hprintf(pf, "  <message name=\"%sRequest\">\n", name);

	for (size_t i = 0; i < op_param_count(op->soap_params); i++)
		err |= re_hprintf(pf, "    <part name=\"%s\" type=\"xsd:string\"/>\n",
				  param_defs[op->soap_params[i]].name);
	err |= re_hprintf(pf, "  </message>\n"
			  "  <message name=\"%sResponse\">\n"
			  "    <part name=\"return\" type=\"xsd:string\"/>\n"
			  "  </message>\n", name);
	return err;
}

static int wsdl_binding_op(struct re_printf *pf, const char *service,
			   const char *name)
{
	return re_hprintf(pf,
		"    <operation name=\"%s\">\n"
		"      <soap:operation soapAction=\"urn:%s#%s\" style=\"rpc\"/>\n"
		"      <input><soap:body use=\"encoded\" namespace=\"urn:%s\""
		" encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"/></input>\n"
		"      <output><soap:body use=\"encoded\" namespace=\"urn:%s\""
		" encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"/></output>\n"
		"    </operation>\n", name, service, name, service, service);
}

/* Each offered method, under its name and its alias (agentTolvr). */
#define FOR_EACH_SOAP_NAME(op, name, ...) \
	for (size_t i_ = 0; i_ < op_count; i_++) { \
		const struct op *op = &op_table[i_]; \
		const char *names_[2] = { op->soap, op->soap_alias }; \
		for (size_t k_ = 0; k_ < 2; k_++) { \
			const char *name = names_[k_]; \
			if (name) { __VA_ARGS__ } \
		} \
	}

int soap_wsdl_print_h(struct re_printf *pf, void *arg)
{
	const struct wsdl_args *wa = arg;
	const char *service = wa->service, *location = wa->location;
	int err = re_hprintf(pf,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!-- generated by occd from its operation table -->\n"
		"<definitions xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"\n"
		"  xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"\n"
		"  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
		"  xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\"\n"
		"  xmlns:tns=\"urn:%s\"\n"
		"  xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\"\n"
		"  xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"\n"
		"  xmlns=\"http://schemas.xmlsoap.org/wsdl/\"\n"
		"  targetNamespace=\"urn:%s\">\n"
		"  <types><xsd:schema targetNamespace=\"urn:%s\"/></types>\n",
		service, service, service);

	FOR_EACH_SOAP_NAME(op, name, err |= wsdl_messages(pf, op, name);)
	err |= re_hprintf(pf, "  <portType name=\"%sPortType\">\n", service);
	FOR_EACH_SOAP_NAME(op, name,
		err |= re_hprintf(pf, "    <operation name=\"%s\">\n"
				  "      <documentation>%H</documentation>\n"
				  "      <input message=\"tns:%sRequest\"/>\n"
				  "      <output message=\"tns:%sResponse\"/>\n"
				  "    </operation>\n", name, xml_escape_h,
				  (void *)op->summary, name, name);)
	err |= re_hprintf(pf, "  </portType>\n"
			  "  <binding name=\"%sBinding\" type=\"tns:%sPortType\">\n"
			  "    <soap:binding style=\"rpc\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n",
			  service, service);
	FOR_EACH_SOAP_NAME(op, name, err |= wsdl_binding_op(pf, service, name);)
	err |= re_hprintf(pf, "  </binding>\n"
			  "  <service name=\"%s\">\n"
			  "    <port name=\"%sPort\" binding=\"tns:%sBinding\">\n"
			  "      <soap:address location=\"%H\"/>\n"
			  "    </port>\n"
			  "  </service>\n"
			  "</definitions>\n", service, service, service,
			  xml_escape_h, (void *)location);
	return err;
}
