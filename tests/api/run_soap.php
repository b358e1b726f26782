<?php
/*
 * run_soap.php — the behaviour matrix (cases.json) over the SOAP WebService
 * of a running occd ($OCC_URL), the way the manual's PHP client does it:
 *
 *   $client = new SoapClient("http://host:port/coccwi.php?wsdl");
 *   echo $client->login('orgidentity','usertype','user','pwdtype','password');
 *
 * Every method is called positionally, in the cocc manual's SOAP parameter
 * order (soap_signatures.json, copied from shared/spec/api.json); absent
 * arguments are passed as ''. The returned string is compared exactly:
 * "|Retuen|code|Retuen|message[|Retuen|param]", or the plain "1|..." /
 * "0|BackMsg_NN" of groupStatusNum and queueCustomerNum.
 *
 * First: the asterCC WSDL (/astccwi.php?wsdl) with the asterCC 2.1 short
 * prototypes (3-argument logout, 6-argument workwayAction), the WSDL's
 * positional orders, and a SOAP Fault for an unknown method; then the matrix.
 *
 * php-cli + php-soap. TAP-like output; exit status 1 on any failure.
 * Run it under tests/lib/with-occd.sh (a fresh demo server).
 */
ini_set("soap.wsdl_cache_enabled", "0");
ini_set("default_socket_timeout", "15");
error_reporting(E_ALL);

$url = getenv("OCC_URL");
if (!$url) {
	fwrite(STDERR, "OCC_URL is not set (run me under tests/lib/with-occd.sh)\n");
	exit(2);
}
$url = rtrim($url, "/");
$cases = json_decode(file_get_contents(__DIR__ . "/cases.json"), true);
if (isset($cases["steps"]))
	$cases = $cases["steps"];
$sigs = json_decode(file_get_contents(__DIR__ . "/soap_signatures.json"), true);
if (!is_array($cases) || !is_array($sigs)) {
	fwrite(STDERR, "cannot read cases.json / soap_signatures.json\n");
	exit(2);
}
/* Operations whose SOAP reply is the plain statistics string (§2.2). */
$PLAIN = ["group_status_num" => true, "queue_customer_num" => true];

$n = 0;
$failed = 0;
function tap_ok($cond, $name, $why = "")
{
	global $n, $failed;
	$n++;
	if ($cond) {
		echo "ok $n - $name\n";
	} else {
		$failed++;
		echo "not ok $n - $name" . ($why !== "" ? ": $why" : "") . "\n";
	}
	return $cond;
}
function tap_skip($name, $why)
{
	global $n;
	$n++;
	echo "ok $n - $name # SKIP $why\n";
}
function short($s, $max = 300)
{
	$s = var_export($s, true);
	return strlen($s) > $max ? substr($s, 0, $max) . "..." : $s;
}
/* Does $s match the cases.json regex $re as a whole (after $prefix)? */
function re_full($re, $s, $prefix = "")
{
	return preg_match("#\\A" . $prefix . "(?:" . str_replace("#", "\\#", $re) . ")\\z#u", $s) === 1;
}
function client($wsdl, $extra = [])
{
	return new SoapClient($wsdl, array_merge([
		"cache_wsdl" => WSDL_CACHE_NONE,
		"exceptions" => true,
		"trace" => true,
		"connection_timeout" => 10,
	], $extra));
}

echo "# soap interface at $url\n";

/* ------------------------------------------------------------ WSDLs */
$cocc = null;
try {
	$cocc = client("$url/coccwi.php?wsdl");
	tap_ok(true, "SoapClient from $url/coccwi.php?wsdl");
} catch (Throwable $e) {
	tap_ok(false, "SoapClient from $url/coccwi.php?wsdl", get_class($e) . ": " . $e->getMessage());
	echo "1..$n\n";
	exit(1);
}

/* The WSDL's parameter order is what PHP uses for positional calls: it must
 * be the manual's, for every cocc SOAP method. */
$funcs = [];
foreach ($cocc->__getFunctions() as $f) {
	if (preg_match('/^\S+ (\w+)\((.*)\)$/', $f, $m)) {
		$params = [];
		foreach (array_filter(array_map("trim", explode(",", $m[2]))) as $p)
			$params[] = preg_replace('/^.*\$/', "", $p);
		$funcs[$m[1]] = $params;
	}
}
$bad = [];
foreach ($sigs["cocc"] as $id => $sig) {
	$have = $funcs[$sig["name"]] ?? null;
	if ($have === null)
		$bad[] = $sig["name"] . " missing";
	elseif (array_map("strtolower", $have) !== array_map("strtolower", $sig["params"]))
		$bad[] = $sig["name"] . "(" . implode(",", $have) . ") != (" . implode(",", $sig["params"]) . ")";
}
tap_ok(!$bad, "coccwi WSDL: every cocc method with the manual's parameter order", implode("; ", $bad));

/* ------------------------------------------------- asterCC 2.1 WSDL */
echo "# asterCC 2.1 WSDL and prototypes\n";
$call = function ($client, $method, $args, $want, $label) {
	try {
		$ret = $client->$method(...$args);
		return tap_ok($ret === $want, $label, "expected " . short($want) . ", got " . short($ret));
	} catch (Throwable $e) {
		return tap_ok(false, $label, get_class($e) . ": " . $e->getMessage());
	}
};
try {
	$astcc = client("$url/astccwi.php?wsdl");
	$wsdl = file_get_contents("$url/astccwi.php?wsdl");
	tap_ok(strpos($wsdl, 'name="astccWI"') !== false && strpos($wsdl, "/astccwi.php") !== false,
	       "astccwi WSDL: service astccWI at /astccwi.php", short(substr((string)$wsdl, -400)));
	$p8006 = "agent_group_id=2&groupname=Support&status=idel&groupadmin=no&agenttype=dynamic"
	       . "&agentline=%s&errorcall=no&agent_id=6|||";
	$call($astcc, "login", ["demo", "agent", "8006", "plaintext", "8006"],
	      "|Retuen|1|Retuen|BackMsg_04|Retuen|" . sprintf($p8006, "offline"),
	      "astccwi: login('demo','agent','8006','plaintext','8006')");
	$call($astcc, "queueAction", ["1", "agent", "8006", "demo", "", "plaintext", "8006"],
	      "|Retuen|1|Retuen|2:success",
	      "astccwi: 7-argument asterCC queueAction checks 8006 in");
	$call($astcc, "workwayAction", ["dialout", "8006", "demo", "plaintext", "8006", "2"],
	      "|Retuen|1|Retuen|BackMsg_62",
	      "astccwi: 6-argument asterCC workwayAction(status,user,orgidentity,pwdtype,password,agent_group_id)");
	$call($astcc, "logout", ["demo", "8006", "wrong"], "|Retuen|2|Retuen|BackMsg_03",
	      "astccwi: 3-argument logout with a wrong password -> 03");
	$call($astcc, "agentStatus", ["demo", "agent", "8006", "plaintext", "8006"],
	      "|Retuen|1|Retuen|BackMsg_43|Retuen|2-idle,",
	      "astccwi: 8006 still checked in after the refused logout");
	$call($astcc, "logout", ["demo", "8006", "8006"], "|Retuen|1|Retuen|BackMsg_08",
	      "astccwi: 3-argument logout(orgidentity, user, password)");
	$call($astcc, "agentStatus", ["demo", "agent", "8006", "plaintext", "8006"],
	      "|Retuen|1|Retuen|BackMsg_43|Retuen|2-logout,",
	      "astccwi: the 3-argument logout checked 8006 out");
	$call($cocc, "logout", ["demo", "8006", "8006"], "|Retuen|1|Retuen|BackMsg_08",
	      "coccwi: the 3-argument logout is accepted there too");
	$misprint = client("$url/astcccwi.php?wsdl");
	$call($misprint, "agentStatus", ["demo", "agent", "8006", "plaintext", "8006"],
	      "|Retuen|1|Retuen|BackMsg_43|Retuen|2-logout,",
	      "astcccwi.php?wsdl (the cocc manual's misprint) works");
} catch (Throwable $e) {
	tap_ok(false, "asterCC WSDL", get_class($e) . ": " . $e->getMessage());
}

/* ----------------------------------------------------------- faults */
echo "# SOAP faults\n";
/* A SoapClient whose request names a method the service does not have: the
 * server must answer a SOAP Fault, which SoapClient throws as SoapFault. */
class RenamingClient extends SoapClient
{
	public $from, $to, $sent = "";
	#[\ReturnTypeWillChange]
	public function __doRequest($request, $location, $action, $version, $one_way = 0)
	{
		$request = str_replace(":" . $this->from . ">", ":" . $this->to . ">", $request);
		$request = str_replace(":" . $this->from . " ", ":" . $this->to . " ", $request);
		$this->sent = $request;
		return parent::__doRequest($request, $location, $action, $version, $one_way);
	}
}
try {
	$rc = new RenamingClient("$url/coccwi.php?wsdl", ["cache_wsdl" => WSDL_CACHE_NONE, "trace" => true]);
	$rc->from = "agentStatus";
	$rc->to = "noSuchMethod";
	try {
		$ret = $rc->agentStatus("demo", "agent", "8001", "plaintext", "8001");
		tap_ok(false, "unknown method -> SoapFault", "no fault; got " . short($ret)
		       . " for request " . short($rc->sent));
	} catch (SoapFault $f) {
		tap_ok(strpos($rc->sent, "<ns1:noSuchMethod>") !== false,
		       "unknown method -> SoapFault (the request named ns1:noSuchMethod)", short($rc->sent));
		tap_ok(stripos((string)$f->faultcode, "Client") !== false && $f->faultstring !== "",
		       "unknown method: faultcode Client with a faultstring",
		       "faultcode " . short($f->faultcode) . " faultstring " . short($f->faultstring));
	}
} catch (Throwable $e) {
	tap_ok(false, "unknown method -> SoapFault", get_class($e) . ": " . $e->getMessage());
}

/* Raw POSTs: an unknown method and a malformed envelope get a Fault (HTTP
 * 500, text/xml), parsed by SoapClient's own response path. */
function raw_post($url, $xml)
{
	$ctx = stream_context_create(["http" => [
		"method" => "POST", "ignore_errors" => true, "timeout" => 10,
		"header" => "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"urn:coccWI#x\"\r\n",
		"content" => $xml]]);
	$body = @file_get_contents($url, false, $ctx);
	$status = isset($http_response_header[0]) ? $http_response_header[0] : "";
	return [$status, $body];
}
$env = '<?xml version="1.0" encoding="UTF-8"?>'
     . '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:coccWI">'
     . '<SOAP-ENV:Body>%s</SOAP-ENV:Body></SOAP-ENV:Envelope>';
foreach ([
	["raw POST, unknown method", sprintf($env, '<ns1:fly><a>1</a></ns1:fly>')],
	["raw POST, malformed XML", '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><ns1:login>'],
	["raw POST, not a SOAP envelope", '<?xml version="1.0"?><login><a>demo</a></login>'],
	["raw POST, too many arguments", sprintf($env, '<ns1:login>' . str_repeat('<a>x</a>', 6) . '</ns1:login>')],
] as [$label, $xml]) {
	[$status, $body] = raw_post("$url/coccwi.php", $xml);
	$ok = strpos($status, " 500") !== false && is_string($body)
	   && preg_match('/<([\w.-]+:)?Fault>/', $body) && strpos($body, "<faultcode>") !== false;
	tap_ok($ok, "$label -> SOAP Fault (HTTP 500)", short($status) . " " . short($body));
}
/* And a well-formed raw request in the manual's shape answers normally. */
[$status, $body] = raw_post("$url/coccwi.php", sprintf($env,
	'<ns1:agentStatus><orgidentity>demo</orgidentity><usertype>agent</usertype>'
	. '<user>8001</user><pwdtype>plaintext</pwdtype><password>8001</password></ns1:agentStatus>'));
tap_ok(strpos($status, " 200") !== false && strpos($body, "|Retuen|1|Retuen|BackMsg_43|Retuen|1-logout,") !== false,
       "raw POST, agentStatus -> |Retuen| reply", short($status) . " " . short($body));

/* The matrix runs last: a server crash provoked by its final (robustness)
 * steps cannot hide the checks above. The checks above leave 8006 logged
 * out and 8001 untouched, the state the matrix starts from. */
/* --------------------------------------------------------- the matrix */
echo "# behaviour matrix (cases.json) over SOAP\n";
foreach ($cases as $i => $step) {
	$name = $step["name"];
	if (isset($step["interfaces"]) && !in_array("soap", $step["interfaces"], true)) {
		tap_skip($name, "only on " . implode(",", $step["interfaces"]));
		continue;
	}
	$sig = $sigs["cocc"][$step["op"]] ?? null;
	if (!$sig) {
		tap_ok(false, $name, "no SOAP signature for " . $step["op"]);
		continue;
	}
	$unknown = array_diff(array_keys($step["args"]), $sig["params"]);
	if ($unknown) {
		tap_ok(false, $name, "argument(s) " . implode(",", $unknown) . " not in the SOAP signature of " . $sig["name"]);
		continue;
	}
	$args = [];
	foreach ($sig["params"] as $p)
		$args[] = (string)($step["args"][$p] ?? "");
	$method = $sig["name"];
	$label = "$name [$method]";
	try {
		/* positional, exactly like $client->login('demo','agent',...) */
		$ret = $cocc->$method(...$args);
	} catch (SoapFault $f) {
		tap_ok(false, $label, "SoapFault " . $f->faultcode . ": " . $f->faultstring);
		continue;
	} catch (Throwable $e) {
		tap_ok(false, $label, get_class($e) . ": " . $e->getMessage());
		continue;
	}
	$exp = $step["expect"];
	if (!is_string($ret)) {
		tap_ok(false, $label, "return value is not a string: " . short($ret));
		continue;
	}
	if (isset($PLAIN[$step["op"]])) {
		$flag = $exp["code"] == 1 ? "1" : "0";
		if (isset($exp["message"]))
			tap_ok($ret === "$flag|" . $exp["message"], $label,
			       "expected " . short("$flag|" . $exp["message"]) . ", got " . short($ret));
		else
			tap_ok(re_full($exp["message_re"], $ret, $flag . "\\|"),
			       $label, "got " . short($ret) . " !~ $flag|/" . $exp["message_re"] . "/");
		continue;
	}
	$parts = explode("|Retuen|", $ret);
	$why = [];
	if ($parts[0] !== "" || count($parts) < 3 || count($parts) > 4 || !ctype_digit($parts[1])) {
		tap_ok(false, $label, "not a |Retuen| string: " . short($ret));
		continue;
	}
	if ((int)$parts[1] !== $exp["code"])
		$why[] = "code " . $parts[1] . " != " . $exp["code"];
	if (isset($exp["message"]) && $parts[2] !== $exp["message"])
		$why[] = "message " . short($parts[2]) . " != " . short($exp["message"]);
	if (isset($exp["message_re"]) && !re_full($exp["message_re"], $parts[2]))
		$why[] = "message " . short($parts[2]) . " !~ /" . $exp["message_re"] . "/";
	$has_extra = count($parts) === 4;
	if (array_key_exists("extra", $exp)) {
		if (!$has_extra || $parts[3] !== $exp["extra"])
			$why[] = "third field " . ($has_extra ? short($parts[3]) : "absent") . " != " . short($exp["extra"]);
	} elseif (isset($exp["extra_re"])) {
		if (!$has_extra || !re_full($exp["extra_re"], $parts[3]))
			$why[] = "third field " . ($has_extra ? short($parts[3]) : "absent") . " !~ /" . $exp["extra_re"] . "/";
	} elseif ($has_extra) {
		$why[] = "unexpected third field " . short($parts[3]);
	}
	tap_ok(!$why, $label, implode("; ", $why) . ($why ? " (got " . short($ret) . ")" : ""));
}

echo "1..$n\n";
echo $failed ? "# FAILED $failed of $n\n" : "# all $n passed\n";
exit($failed ? 1 : 0);
