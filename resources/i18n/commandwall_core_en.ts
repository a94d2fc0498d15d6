<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>DispatchDialog</name>
    <message>
        <location filename="../../commandwall/domain/models.py" line="106"/>
        <location filename="../../commandwall/domain/models.py" line="120"/>
        <source>公安</source>
        <extracomment>The departments a task may go to, by the Chinese name the platform knows (translated where shown: :func:`department_label`).</extracomment>
        <translation>Police</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="106"/>
        <source>消防</source>
        <translation>Fire and Rescue</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="107"/>
        <location filename="../../commandwall/domain/models.py" line="122"/>
        <source>卫健</source>
        <translation>Health</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="107"/>
        <location filename="../../commandwall/domain/models.py" line="119"/>
        <location filename="../../commandwall/domain/models.py" line="121"/>
        <source>城管</source>
        <translation>Urban Management</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="108"/>
        <location filename="../../commandwall/domain/models.py" line="117"/>
        <source>应急</source>
        <translation>Emergency Management</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="108"/>
        <location filename="../../commandwall/domain/models.py" line="116"/>
        <location filename="../../commandwall/domain/models.py" line="123"/>
        <source>交警</source>
        <extracomment>The department that handles each incident category by default (by its name in :data:`DEPARTMENTS`, what the platform knows): the dispatch dialog offers its units first and names it as the responsible department.</extracomment>
        <translation>Traffic Police</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="109"/>
        <location filename="../../commandwall/domain/models.py" line="118"/>
        <source>环保</source>
        <translation>Environmental Protection</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="109"/>
        <source>住建</source>
        <translation>Housing and Construction</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="110"/>
        <source>水务</source>
        <translation>Water Authority</translation>
    </message>
</context>
<context>
    <name>SettingsFolder</name>
    <message>
        <location filename="../../commandwall/app/settings_folder.py" line="22"/>
        <source>同名的文件已存在，不是文件夹</source>
        <translation>a file of that name exists; it is not a folder</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/settings_folder.py" line="34"/>
        <source>设置目录不可用：{folder}（{reason}），本次的界面设置不会保存</source>
        <translation>Settings folder unusable: {folder} ({reason}); view settings will not be kept this session</translation>
    </message>
</context>
<context>
    <name>alarm</name>
    <message>
        <location filename="../../commandwall/app/alarm.py" line="68"/>
        <source>【{level}告警】{title}</source>
        <extracomment>Default severity that raises the alarm: 紧急 (2) and 特急 (1). Default reach of the &quot;nearest by distance&quot; cameras, after the ones that look at the point. Seconds an alarm keeps the wall before an equally or less urgent one may take it (a more urgent one: at once). The alarm tone written at run time when no sound file is configured.</extracomment>
        <translation>[{level} alarm] {title}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/alarm.py" line="71"/>
        <source>（{place}）</source>
        <translation> ({place})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/alarm.py" line="73"/>
        <source>：{count} 路视频已切上视频墙</source>
        <translation>: {count} video feed(s) switched to the wall</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/alarm.py" line="75"/>
        <source>：{count} 路视频可上墙</source>
        <translation>: {count} video feed(s) ready for the wall</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/alarm.py" line="77"/>
        <source>：附近没有在线视频</source>
        <translation>: no online video nearby</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/alarm.py" line="79"/>
        <source>；另有 {count} 起告警事件</source>
        <translation>; {count} more alarm incident(s)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/alarm.py" line="137"/>
        <source>已关闭</source>
        <translation>Off</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/alarm.py" line="138"/>
        <source>{level}及以上</source>
        <translation>{level} and above</translation>
    </message>
</context>
<context>
    <name>backend</name>
    <message>
        <location filename="../../commandwall/backend/errors.py" line="52"/>
        <source>平台返回格式错误: {resource}: {problem}</source>
        <translation>Malformed platform answer: {resource}: {problem}</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/events.py" line="392"/>
        <source>内部错误: {error} ({activity})</source>
        <extracomment>While the live stream is down: incidents are polled this often (s) … … and cameras, units and tasks this often (s). SSE event type -&gt; model of its data. A stream that stayed open this long (or delivered an event) was a real connection, not a failure. One event (all its lines) may not exceed this many bytes … … nor this many lines (the contract sends 3 or 4). Connection details reported to ``on_state`` are cut to this many characters. The platform sends a keepalive comment this often (s) while it has nothing else to send. A platform that sent not a byte for this long (s) — on the live stream a keepalive is overdue — is shown as quiet: it or the path to it may hang, and what the desk shows may not be current. The stream itself is given up only at its read timeout (45 s), as a keepalive late on a slow link is no outage; the silence is counted on through the reconnects and polls that follow, until the platform answers. ``on_reset(reason)``: load everything afresh (on the stream&apos;s thread; ``BackendError``: tried again later). ``time.monotonic()`` of the last bytes received (of the answer&apos;s headers, before the first)</extracomment>
        <translation>Internal error: {error} ({activity})</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/outbox.py" line="742"/>
        <location filename="../../commandwall/backend/outbox.py" line="828"/>
        <source>无法读取的记录 ({error})</source>
        <extracomment>How long (s) opening the outbox waits for a file another process holds locked before it gives up (the caller tries again later). Columns added since the table was first made (name → declaration), added to an older file when it is opened: the refusal&apos;s machine code and HTTP status, and whether the officer has set a refused row aside. Codes of the desk&apos;s own for rows it fails itself (the platform&apos;s codes are lower-case words too, never these). Rows held back because the platform&apos;s data went back (reset, restored from a backup) after they were queued: the incident they name may now be another one under the same id (:meth:`Outbox.hold_pending`). What may be queued. The columns of the table as first made (``SCHEMA``), in their order. What each kind of row needs in its payload to be sent (name → type); a task&apos;s is the platform&apos;s task body. Below this many free bytes in the outbox&apos;s folder a failed write is put down to a full disk. What the operating system says when the disk is full (or the user&apos;s quota spent), or the folder is read-only. the platform&apos;s machine code of a refusal or conflict (``invalid_transition``, ``stale_version`` …; one of the desk&apos;s own, :data:`UNREADABLE_ROW` or :data:`ATTACHMENT_LOST`, for a row it failed itself), else &quot;&quot; the HTTP status of that refusal (None: no answer, or a row the desk failed itself) the officer has set this refused or conflicted row aside (no longer listed as not delivered) the platform&apos;s data epoch the row was queued under (&quot;&quot;: unknown, sent under any); see ``epoch`` asked before each send: False holds the queue (the desk does not hear the platform yet — after an outage its event stream first catches up, and sees whether the platform&apos;s data went back, before any queued action goes to it); :meth:`retry_soon` wakes the worker when it may. None: always. Where queued attachments wait for their send (one file per row, named by its Idempotency-Key). incidents whose next row the platform failed while it answered others: incident id → (failures in a row, ``time.monotonic()`` when it is tried again); their rows wait, the others&apos; go on (worker thread only) the rows refused or overtaken and not set aside (``undelivered``), kept like the pending ones the platform&apos;s data epoch heard last, kept across runs: what a row queued before the desk hears the platform (an outage at start) is queued under</extracomment>
        <translation>Unreadable record ({error})</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/outbox.py" line="785"/>
        <source>内部错误: {error}</source>
        <translation>Internal error: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/outbox.py" line="856"/>
        <source>附件文件已丢失 ({error})</source>
        <translation>The attachment&apos;s file is lost ({error})</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/parsing.py" line="151"/>
        <source>与平台的加密连接失败（证书或协议不符）</source>
        <extracomment>A server&apos;s error message is cut to this many characters before it reaches errors, logs and the banner. Malformed records of one list logged one by one; the rest are counted in one line. Longest ``rel=next`` link followed. HTTP status -&gt; error class (5xx: ``BackendUnavailableError``; others: ``BackendError``).</extracomment>
        <translation>The encrypted connection to the platform failed (certificate or protocol)</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/parsing.py" line="153"/>
        <source>平台拒绝连接（服务未运行或端口不通）</source>
        <translation>The platform refused the connection (service not running or port closed)</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/parsing.py" line="155"/>
        <source>找不到平台地址（域名无法解析）</source>
        <translation>Platform address not found (the name does not resolve)</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/parsing.py" line="157"/>
        <source>连接平台超时（网络不通或被拦截）</source>
        <translation>Connecting to the platform timed out (network down or blocked)</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/parsing.py" line="159"/>
        <source>平台响应超时</source>
        <translation>The platform did not answer in time</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/parsing.py" line="161"/>
        <source>与平台的连接被中断</source>
        <translation>The connection to the platform was cut</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/parsing.py" line="163"/>
        <source>无法连接到平台</source>
        <translation>Cannot connect to the platform</translation>
    </message>
    <message>
        <location filename="../../commandwall/backend/parsing.py" line="165"/>
        <source>与平台通信失败</source>
        <translation>Talking to the platform failed</translation>
    </message>
</context>
<context>
    <name>basemaps</name>
    <message>
        <location filename="../../commandwall/app/map.py" line="50"/>
        <source>薛城区离线底图</source>
        <extracomment>Id and title of the shipped district base map (the exercise mode&apos;s default). The district&apos;s offline base map: (id, title); the title is translated where the catalogue is built.</extracomment>
        <translation>Xuecheng offline map</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="112"/>
        <source>服务说明文件 {name} 不是普通文件（是文件夹、命名管道或设备），未读取</source>
        <translation>The capabilities file {name} is not a regular file (a folder, named pipe or device): not read</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="115"/>
        <source>服务说明文件 {name} 超过 20 MB，未读取</source>
        <translation>The capabilities file {name} is larger than 20 MB: not read</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="126"/>
        <source>找不到 {name}</source>
        <translation>{name} not found</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="126"/>
        <source>找不到文件</source>
        <translation>File not found</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="128"/>
        <source>无法读取 {name}</source>
        <translation>{name} cannot be read</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="129"/>
        <source>文件无法读取</source>
        <translation>The file cannot be read</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="131"/>
        <source>服务说明不适用于本地图（详见日志）</source>
        <translation>The service&apos;s capabilities do not suit this map (see the log)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="132"/>
        <source>设置有误（详见日志）</source>
        <translation>The settings are wrong (see the log)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="150"/>
        <source>底图 {title} 不可用：{reason}</source>
        <translation>Base map {title} not available: {reason}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="161"/>
        <source>薛城区离线底图不可用：{reason}</source>
        <translation>Xuecheng offline base map not available: {reason}</translation>
    </message>
    <message>
        <location filename="../../commandwall/geo/basemaps.py" line="49"/>
        <source>无底图</source>
        <extracomment>Highest zoom any reader answers (tile numbers stay far below 2**31). Largest tile a reader hands out (a 512 px PNG of a busy area is under 1 MB): a larger one is taken as missing, never read whole into memory. Id of &quot;no base map&quot; (无底图) in the switcher; always offered.</extracomment>
        <translation>No base map</translation>
    </message>
    <message>
        <location filename="../../commandwall/geo/basemaps.py" line="87"/>
        <source>{name} 不是普通文件（是文件夹、命名管道或设备），未打开</source>
        <extracomment>Base-map ids: what may appear in a ``cw://app/tiles/&lt;id&gt;/…`` path. Longest (s) the queries that open an MBTiles file may take together (its metadata, the zoom levels of its tiles). A file without an index on its tiles is scanned whole for the zoom levels unless its metadata names them: a 2.3 GB file of 550 000 tiles took 0.4 s from the page cache and 4.9 s from the disk; a file whose ``tiles`` is a recursive view never ends. Past this the file is refused with the reason. Longest (s) one tile&apos;s query may take (a scan of that 2.3 GB file without an index: 0.4–0.7 s): past it the tile is missing, and the worker reading it is free again. After this many tile queries in a row ran out of time, the file answers no more tiles (each would be as slow). SQLite virtual-machine steps between two looks at the clock (a few hundred microseconds).</extracomment>
        <translation>{name} is not a regular file (a folder, named pipe or device): not opened</translation>
    </message>
    <message>
        <location filename="../../commandwall/geo/basemaps.py" line="175"/>
        <source>{name} 读取超时（超过 {seconds} 秒）：文件可能已损坏，或过大且没有瓦片索引</source>
        <translation>Reading {name} took over {seconds} s: the file may be damaged, or very large without a tile index</translation>
    </message>
    <message>
        <location filename="../../commandwall/geo/basemaps.py" line="187"/>
        <source>{name} 不是可用的 MBTiles 文件</source>
        <translation>{name} is not a usable MBTiles file</translation>
    </message>
    <message>
        <location filename="../../commandwall/geo/basemaps.py" line="296"/>
        <source>{name} 不是文件夹，不能作为瓦片目录</source>
        <translation>{name} is not a folder: it cannot be a tile folder</translation>
    </message>
    <message>
        <location filename="../../commandwall/geo/basemaps.py" line="509"/>
        <source>{title}（GCJ-02：叠加偏移约0.5公里）</source>
        <extracomment>The WMTS well-known Web Mercator tile matrix set (OGC 07-057r7 Annex E.4), the default of a configured service. Names of tile matrix sets in latitude/longitude (EPSG:4326, CGCS2000 EPSG:4490, 天地图 ``c``): Leaflet&apos;s map is Web Mercator, so their tiles would land in the wrong place. Which RESTful template variables this page fills (WMTS 1.0.0 §10.2.1), lower case. A ``{…}`` variable of a tile URL template (group 1: its name as written), in this module and the settings. The one variable a template may carry besides the tile&apos;s: Leaflet fills it from ``subdomains``. A tile server&apos;s origin as the page&apos;s CSP may name it: ``scheme://host[:port]``, the host a lower-case name or IPv4 address (no IPv6 literal, wildcard, path, quote or space: each could widen or break the policy). What a base map&apos;s tiles are drawn in: Web Mercator on WGS84 lon/lat (as every overlay is), or on the shifted lon/lat of Chinese web maps — GCJ-02 (高德 AMap, 腾讯 Tencent) or BD-09 (百度 Baidu), 300–600 m off WGS84. Tile hosts known to serve shifted tiles: the host itself or any name under it.</extracomment>
        <translation>{title} (GCJ-02: overlays ~0.5 km off)</translation>
    </message>
    <message>
        <location filename="../../commandwall/geo/basemaps.py" line="511"/>
        <source>{title}（BD-09：百度网格，叠加无法对齐）</source>
        <translation>{title} (BD-09: Baidu&apos;s own grid; overlays cannot line up)</translation>
    </message>
</context>
<context>
    <name>dashboard</name>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="52"/>
        <source>待受理</source>
        <extracomment>Status groups the dashboard counts (key, statuses), in workflow order. The key is the group&apos;s Chinese name: it names the group in ``Overview.by_status`` and :meth:`DashboardController.status_filter` whatever the language; it is shown through :func:`status_group_label`.</extracomment>
        <translation>Awaiting acceptance</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="53"/>
        <source>处置中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="55"/>
        <source>已办结</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="56"/>
        <source>退回/上报</source>
        <translation>Returned/Escalated</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="57"/>
        <source>已合并</source>
        <translation>Merged</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="59"/>
        <source>未办结</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="272"/>
        <source>正在读取传感器…</source>
        <extracomment>Hours the trend chart shows, up to the current one. A recount waits at least this many times as long as the last one took (its share of the interpreter: 1/10). What one incident adds to the figures: (display-zone day, display-zone hour — both counted from the epoch —, category, status group key or None, town, open, urgent and open). Plain tuples: a tally of 15 000 incidents is made in about the time a plain count takes.</extracomment>
        <translation>Reading sensors…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="414"/>
        <source>未登录，传感器数据暂停更新</source>
        <extracomment>someone can see the figures: count them (set by default; the view clears it while out of sight) the incidents counted so far, kept on the worker thread; brought up to date from the ids changed since</extracomment>
        <translation>Not logged in; sensor readings paused</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="415"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="420"/>
        <source>平台未提供传感器数据</source>
        <translation>The platform provides no sensor data</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="423"/>
        <source>传感器数据暂不可用，显示上次读数</source>
        <translation>Sensor data unavailable; showing the last readings</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dashboard.py" line="424"/>
        <source>传感器数据暂不可用</source>
        <translation>Sensor data unavailable</translation>
    </message>
</context>
<context>
    <name>datafolder</name>
    <message>
        <location filename="../../commandwall/app/datafolder.py" line="29"/>
        <source>数据目录 {folder} 无法写入（{error}）：派遣、受理、备注将无法提交，请检查磁盘和目录权限</source>
        <translation>The data folder {folder} cannot be written ({error}): dispatches, steps and notes cannot be submitted; check the disk and the folder&apos;s permissions</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/datafolder.py" line="37"/>
        <source>数据目录 {folder} 所在磁盘剩余空间不足（{free} MB）：磁盘写满后派遣、受理、备注将无法提交，请及时清理</source>
        <translation>The disk of the data folder {folder} is nearly full ({free} MB free): once it is full, dispatches, steps and notes cannot be submitted; free some space</translation>
    </message>
</context>
<context>
    <name>dispatch</name>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="36"/>
        <source>请选择处置单元或责任部门</source>
        <extracomment>Units offered per dispatch at most (a district has a few dozen; more would only scroll).</extracomment>
        <translation>Choose a unit or a responsible department</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="37"/>
        <source>请填写处置要求</source>
        <translation>Enter the instructions</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="38"/>
        <source>处置要求最多 {limit} 字，现有 {count} 字</source>
        <translation>Instructions may have at most {limit} characters; these have {count}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="67"/>
        <source>{status}（{task}）</source>
        <translation>{status} ({task})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="70"/>
        <source>{name} · {department} · {status} · 道路 {km} km</source>
        <translation>{name} · {department} · {status} · by road {km} km</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="72"/>
        <source>{name} · {department} · {status} · 直线 {km} km</source>
        <translation>{name} · {department} · {status} · straight line {km} km</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="75"/>
        <source> · 位置为{age}上报</source>
        <translation> · position reported {age}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="77"/>
        <source> · 已派往本事件</source>
        <translation> · already sent here</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="154"/>
        <source>调用应急资源：{name}（{type}，{town}，编号 {id}，位置 {lon:.5f}, {lat:.5f}）</source>
        <translation>Use emergency resource: {name} ({type}, {town}, ID {id}, position {lon:.5f}, {lat:.5f})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="223"/>
        <source>{status}：{reason}</source>
        <translation>{status}: {reason}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="227"/>
        <location filename="../../commandwall/app/incidents.py" line="929"/>
        <source> · 时限 {time}</source>
        <translation> · due {time}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="230"/>
        <source> · 超时 {days} 天</source>
        <translation> · {days} days late</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/dispatch.py" line="232"/>
        <source> · 超时 {minutes} 分钟</source>
        <translation> · {minutes} min overdue</translation>
    </message>
</context>
<context>
    <name>domain</name>
    <message>
        <location filename="../../commandwall/domain/models.py" line="91"/>
        <source>综治</source>
        <extracomment>Names, titles and labels are cut to this many characters. Descriptions and instructions are cut to this many characters. Longest free text a desk may send (a task&apos;s instructions, a note, a return reason): what the platform accepts, in characters. Longest stream URL accepted (characters). Schemes a camera&apos;s stream URL may have: network streams. &quot;&quot; (no stream, e.g. a camera without a sub stream) passes; a path or any other scheme is refused. An object id: rejected (not repaired) when empty, too long, or holding control characters. A name, title or label: cut to ``MAX_NAME_CHARS``. A description or instructions: cut to ``MAX_TEXT_CHARS``. A stream URL: rejected when longer than ``MAX_URL_CHARS``, holding control characters, or no network URL. Incident categories (source systems) with their Chinese names (translated where shown: :func:`category_label`).</extracomment>
        <translation>Public order</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="92"/>
        <source>应急</source>
        <translation>Emergency</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="93"/>
        <source>执法</source>
        <translation>Law enforcement</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="94"/>
        <source>交通</source>
        <translation>Traffic</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="95"/>
        <source>环保</source>
        <translation>Environment</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="96"/>
        <source>城管</source>
        <translation>City management</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="97"/>
        <source>卫健</source>
        <translation>Health</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="98"/>
        <source>文旅</source>
        <translation>Culture &amp; tourism</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="100"/>
        <source>预警</source>
        <translation>Early warning</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="217"/>
        <source>已上报</source>
        <extracomment>The longest useful viewing distance a camera may state (a long-range thermal camera sees a few kilometres); a longer one is taken as this. A camera&apos;s view direction, any finite number of degrees turned into [0, 360): a platform&apos;s 1e20 drew a view cone whose loop never ended in the map page (its angle step no longer changed the angle), and froze it. A camera&apos;s field of view, clamped to [0, 360] degrees. A camera&apos;s useful viewing distance, clamped to [0, MAX_CAMERA_RANGE_M] metres. Statuses of incidents still being handled (未办结).</extracomment>
        <translation>Reported</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="218"/>
        <source>已受理</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="219"/>
        <source>已核实</source>
        <translation>Verified</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="220"/>
        <source>已派遣</source>
        <translation>Dispatched</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="221"/>
        <source>处置中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="222"/>
        <source>已办结</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="223"/>
        <source>已结案</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="224"/>
        <source>已退回</source>
        <translation>Returned</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="225"/>
        <source>已上报上级</source>
        <translation>Escalated</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="226"/>
        <source>已合并</source>
        <translation>Merged</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="325"/>
        <source>已派发</source>
        <extracomment>The largest file attached to an incident (bytes): 20 MiB, the platform&apos;s limit and the client&apos;s. when the user acted, as the desk said (``X-Requested-At``): earlier than ``at`` by the time the action waited in the desk&apos;s outbox (an outage); None when the desk did not say Tasks still to be carried out (the others are finished: done or rejected).</extracomment>
        <translation>Assigned</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="326"/>
        <source>已接收</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="327"/>
        <source>途中</source>
        <translation>En route</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="328"/>
        <source>已到场</source>
        <translation>On scene</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="329"/>
        <source>已完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="330"/>
        <source>已拒绝</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="406"/>
        <source>{n}分钟前</source>
        <extracomment>A unit silent for longer is shown as not current (faded on the map, its last report&apos;s age in the 派遣 list): vehicles&apos; and terminals&apos; positions come every 10–60 s, so five minutes of nothing is no gap between reports.</extracomment>
        <translation>{n} min ago</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="408"/>
        <source>{n}小时前</source>
        <translation>{n} h ago</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="409"/>
        <source>{n}天前</source>
        <translation>{n} days ago</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="413"/>
        <source>待命</source>
        <translation>Available</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="414"/>
        <source>出勤</source>
        <translation>On duty</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/models.py" line="415"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="53"/>
        <source>受理</source>
        <extracomment>Statuses a duplicate may be merged from: everything not finished. action -&gt; (allowed source statuses, target status), in the order the buttons appear. Statuses in which tasks may be dispatched: those dispatch moves on from, and while the incident is handled. Actions that need a reason in the note (退回 without a reason is refused). Actions that need another incident (``into``: the survivor of a merge). Non-transition actions the role table also covers. action -&gt; its name on the button (translated where shown: :func:`action_label`).</extracomment>
        <translation>Accept</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="54"/>
        <source>核实</source>
        <translation>Verify</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="55"/>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="56"/>
        <source>开始处置</source>
        <translation>Start work</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="57"/>
        <source>办结</source>
        <translation>Resolve</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="58"/>
        <source>结案</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="59"/>
        <source>退回</source>
        <translation>Return</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="60"/>
        <source>上报上级</source>
        <translation>Escalate</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="61"/>
        <source>合并</source>
        <translation>Merge</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="62"/>
        <source>重新打开</source>
        <translation>Reopen</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="63"/>
        <source>添加备注</source>
        <translation>Add note</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="64"/>
        <source>添加附件</source>
        <translation>Add attachment</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="69"/>
        <source>观察员</source>
        <extracomment>role code -&gt; its name (translated where shown: :func:`role_label`).</extracomment>
        <translation>Observer</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="70"/>
        <source>值班员</source>
        <translation>Duty officer</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="71"/>
        <source>指挥长</source>
        <translation>Commander</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="72"/>
        <source>系统管理员</source>
        <translation>Administrator</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="126"/>
        <source>、</source>
        <extracomment>role -&gt; the actions it may take. Duty officers handle incidents; finishing (结案), reopening and merging are the commander&apos;s (and the administrator&apos;s) decisions; a viewer only reads. The translation the exercise backend passes: none (its messages are the platform&apos;s own, in Chinese).</extracomment>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="127"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/workflow.py" line="128"/>
        <source>当前角色（{roles}）无权执行「{action}」</source>
        <translation>Your role ({roles}) may not “{action}”</translation>
    </message>
</context>
<context>
    <name>i18n</name>
    <message>
        <location filename="../../commandwall/i18n.py" line="53"/>
        <source>zh</source>
        <extracomment>The longest English title (``title_en``) a layer may carry, in characters: as long as a user layer&apos;s title. The chosen language&apos;s code, as its catalogue translates this marker (context ``i18n``): ``zh`` without one.</extracomment>
        <translation>en</translation>
    </message>
</context>
<context>
    <name>incidents</name>
    <message>
        <location filename="../../commandwall/app/incident_filter.py" line="57"/>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incident_filter.py" line="65"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incident_filter.py" line="67"/>
        <source>全部事件</source>
        <translation>All incidents</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="111"/>
        <location filename="../../commandwall/mapdoc/strings.py" line="127"/>
        <source>特急</source>
        <extracomment>Incidents a card&apos;s nearest-incident offer measures geodesically, picked first by a flat distance (which ranks the district&apos;s points as the geodesic does but for near ties, so a few more than offered). 督办 is worked out at most once per this many seconds (the status bar, the list and the detail all ask). Tasks dispatched this close to a refused one went out with it (one dispatch, several units; each is its own request): done, they mean the incident was seen to, not that it waits for a new dispatch. A timeline line names when the user acted besides when the platform recorded it once they lie this far apart (the action waited in its desk&apos;s outbox: an outage; closer, it is the clocks and the network). A desk that starts offline holds the tasks of its last known state; saved longer ago than this (a shift), they are no measure of what is news: the refusals the first load brings are then marked, not told. An incident&apos;s task list shows at most this many of its tasks, the newest; one line before them says how many earlier ones it leaves out (a platform may hold thousands for one incident, and the list follows the clock). The detail&apos;s timeline shows at most this many entries, the newest, after one line saying how many earlier ones it leaves out (a platform&apos;s timeline may hold thousands of long notes: laying them all out took seconds). How much earlier than its outbox row was queued (by the platform&apos;s clock as the desk reads it) a task on the platform may be dated and still be that row&apos;s, come back before the row is marked sent: the two clocks are read a moment apart. An older task with the same unit and instructions is an earlier dispatch, not this one. Priority levels (级别) as the duty officer reads them (translated where shown: :func:`priority_label`).
----------
Priority levels, the same words (and context) as the incident centre&apos;s.</extracomment>
        <translation>Critical</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="112"/>
        <location filename="../../commandwall/mapdoc/strings.py" line="128"/>
        <source>紧急</source>
        <translation>Urgent</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="113"/>
        <location filename="../../commandwall/mapdoc/strings.py" line="129"/>
        <source>一般</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="114"/>
        <location filename="../../commandwall/mapdoc/strings.py" line="130"/>
        <source>提示</source>
        <translation>Notice</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="119"/>
        <source>已提交，等待平台确认…</source>
        <extracomment>Incidents at this priority or more pressing (lower number) flash the task bar when they arrive. Feedback once an action is queued (the source text; what is returned is ``translate(&quot;incidents&quot;, …)`` of it).</extracomment>
        <translation>Submitted, waiting for the platform to confirm…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="120"/>
        <source>派遣任务已提交，等待平台确认…</source>
        <translation>Task submitted, waiting for the platform to confirm…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="121"/>
        <source>备注已提交，等待平台确认…</source>
        <translation>Note submitted, waiting for the platform to confirm…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="122"/>
        <source>超时上报</source>
        <translation>Escalate overdue</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="125"/>
        <source>请先在备注栏填写退回原因</source>
        <extracomment>Task statuses a unit reports (a timeline ``task`` entry with one of these as its action).</extracomment>
        <translation>Enter the reason for returning in the note field first</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="126"/>
        <source>备注不能为空</source>
        <translation>The note is empty</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="129"/>
        <source>预警信息由预警发布单位维护，请按预警内容派发或上报事件</source>
        <extracomment>Early warnings (预警, from CAP) are shown, not handled here: the platform does not know them.</extracomment>
        <translation>Early warnings are kept by the issuing agency; dispatch or report an incident as the warning says</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="136"/>
        <source>派遣任务</source>
        <extracomment>What each kind of queued action is called in feedback.</extracomment>
        <translation>Dispatch task</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="137"/>
        <source>状态变更</source>
        <translation>Status change</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="138"/>
        <location filename="../../commandwall/app/incidents.py" line="547"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="219"/>
        <source>未登录</source>
        <extracomment>its actions the platform refused or another desk overtook, not set aside (listed in 未送达的操作 too)</extracomment>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="236"/>
        <source>退回原因写在备注栏</source>
        <translation>Write the reason for returning in the note field</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="237"/>
        <source>选择保留的事件</source>
        <translation>Choose the incident to keep</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="246"/>
        <source>事件{status}，不能派遣</source>
        <translation>Incident is {status}; cannot dispatch</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="247"/>
        <source>派遣任务…</source>
        <translation>Dispatch task…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="253"/>
        <source>附件…</source>
        <translation>Attach…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="267"/>
        <source>该事件已合并到 {survivor}，请在该事件上备注</source>
        <translation>This incident was merged into {survivor}; add notes there</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="277"/>
        <source>按位置计算</source>
        <extracomment>Where an incident&apos;s town or grid cell came from, as the detail&apos;s tooltip says it.</extracomment>
        <translation>computed from the point</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="278"/>
        <source>平台上报</source>
        <translation>as reported by the platform</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="290"/>
        <source>镇街、网格：{source}</source>
        <translation>Town, grid cell: {source}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="293"/>
        <source>平台上报镇街：{town}</source>
        <translation>platform reported town: {town}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="296"/>
        <source>平台上报网格：{grid}</source>
        <translation>platform reported grid cell: {grid}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="299"/>
        <source>镇街为平台上报</source>
        <translation>town as reported by the platform</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="301"/>
        <source>（{notes}）</source>
        <translation> ({notes})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="301"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="304"/>
        <source>镇街：{source}</source>
        <translation>Town: {source}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="305"/>
        <source>网格：{source}</source>
        <translation>Grid cell: {source}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="307"/>
        <source>平台上报的位置与坐标不符，以坐标为准</source>
        <translation>The platform&apos;s town or grid cell does not match the coordinates; the coordinates count</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="309"/>
        <source>坐标不在任何镇街或网格内，沿用平台上报</source>
        <translation>The point lies outside every town or grid cell; the platform&apos;s values are kept</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="320"/>
        <location filename="../../commandwall/app/incidents.py" line="444"/>
        <location filename="../../commandwall/app/incidents.py" line="1075"/>
        <source>「{action}」</source>
        <translation>“{action}”</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="326"/>
        <source>{kind}待发送（网络恢复后自动重发，不会丢失）：{error}</source>
        <translation>{kind} queued (sent automatically when the network is back, never lost): {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="329"/>
        <source>{kind}发送中…</source>
        <translation>{kind} sending…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="330"/>
        <source>{kind}待发送（网络恢复后自动重发，不会丢失）</source>
        <translation>{kind} queued (sent automatically when the network is back, never lost)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="334"/>
        <source>{kind}已送达平台</source>
        <translation>{kind} delivered to the platform</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="528"/>
        <source>（{time} 操作，离线排队后送达）</source>
        <translation> (acted {time}, delivered after waiting offline)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="948"/>
        <source>{time} {who} · {user} 的派遣待发送（需其本人登录后发出）</source>
        <translation>{time} {who} · dispatch by {user} waiting (sent once he logs in himself)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1038"/>
        <location filename="../../commandwall/app/incidents.py" line="1043"/>
        <source>该操作已不在未送达列表中</source>
        <translation>That action is no longer in the undelivered list</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1044"/>
        <source>{what}已重新排队，连上平台后发出</source>
        <translation>{what} queued again; it is sent once the platform is reachable</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1066"/>
        <source>未送达：{what} · {why}</source>
        <translation>Not delivered: {what} · {why}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1083"/>
        <source>（{who}）</source>
        <translation> ({who})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1092"/>
        <source>（事件现为{status}）</source>
        <translation> (the incident is now {status})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1099"/>
        <source>事件已被他人更新：请在事件详情中按最新状态重新操作</source>
        <translation>Another desk updated the incident: act again on its current state in the incident detail</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1101"/>
        <source>附件的本机副本已删除：请在事件详情中重新添加附件</source>
        <translation>The local copy of the file is gone: attach it again in the incident detail</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1103"/>
        <source>记录已损坏，无法重试</source>
        <translation>The record is damaged and cannot be retried</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1105"/>
        <source>时限已过：请重新派遣并设定时限</source>
        <translation>The deadline has passed: dispatch again with a new deadline</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1106"/>
        <source>按原内容再次发送（例如权限或平台数据已更正后）</source>
        <translation>Send it again as it was (e.g. once rights or platform data are corrected)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="332"/>
        <source>{kind}被平台拒绝：{error}</source>
        <translation>{kind} refused by the platform: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="341"/>
        <source>{kind}未执行：事件已被他人更新，请查看最新状态后重试</source>
        <translation>{kind} not carried out: someone else updated the incident; check its current state and try again</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="347"/>
        <source>（现为{status}，v{version}）</source>
        <translation> (now {status}, v{version})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="351"/>
        <source>。你的说明：{note}</source>
        <translation>. Your note: {note}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="425"/>
        <source>新事件［{level}·{category}］{town} {title}</source>
        <extracomment>Attaching files and fetching attached ones (附件). ranks units for the dispatch dialog: the road graph of a large roads layer takes seconds to build, and ranking tens of thousands of units takes seconds too, which the window must not wait for What the list shows beyond its own filters (set from the overview dashboard; ``NO_FILTER``: all).</extracomment>
        <translation>New incident [{level}·{category}] {town} {title}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="435"/>
        <source>请选择保留的事件</source>
        <translation>Choose the incident to keep</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="485"/>
        <source>预警信息不在平台上，没有处置时间线</source>
        <translation>Early warnings are not on the platform and have no timeline</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="500"/>
        <source>无法获取时间线：{error}</source>
        <translation>Cannot get the timeline: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="515"/>
        <source>（较早的 {count} 条记录未显示）</source>
        <translation>({count} earlier entries not shown)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="534"/>
        <source>（{before}→{after}）</source>
        <translation> ({before}→{after})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="537"/>
        <source> 并入 {ref}</source>
        <translation> merged into {ref}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="539"/>
        <source>任务 {ref} {status}</source>
        <translation>Task {ref} {status}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="542"/>
        <source>附件 {name}（{size}）</source>
        <translation>Attachment {name} ({size})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="545"/>
        <source>上报</source>
        <translation>Reported</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="546"/>
        <source>派遣任务 {ref}</source>
        <translation>Task dispatched {ref}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="548"/>
        <source>合并重复事件 {ref}</source>
        <translation>Duplicate merged {ref}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="553"/>
        <source>{when} {what} · {who}：{text}</source>
        <translation>{when} {what} · {who}: {text}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="555"/>
        <source>{when} {what} · {who}</source>
        <translation>{when} {what} · {who}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="590"/>
        <source>与平台断开：处置力量的位置和状态为最后已知；派遣任务连上平台后发出</source>
        <translation>Not connected to the platform: the units&apos; places and states are the last known; tasks go out once the platform is reachable</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="724"/>
        <source>{count} 项派遣任务</source>
        <translation>{count} dispatch tasks</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="767"/>
        <location filename="../../commandwall/app/incidents.py" line="829"/>
        <source>任务被拒绝：{who} 拒绝了任务 {task}（事件 {incident}）</source>
        <translation>Task refused: {who} refused task {task} (incident {incident})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="779"/>
        <source>：{reason}</source>
        <translation>: {reason}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="780"/>
        <source>，请重新派遣</source>
        <translation> — dispatch again</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="877"/>
        <source>任务被拒绝：{who} 拒绝了任务 {task}</source>
        <translation>Task refused: {who} refused task {task}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="1013"/>
        <source>「{action}」尚未送达平台：送达后才能进行下一步</source>
        <translation>“{action}” has not reached the platform yet: the next step waits until it has</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="833"/>
        <location filename="../../commandwall/app/incidents.py" line="879"/>
        <source>（共 {count} 项被拒绝）</source>
        <translation> ({count} refused in all)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="915"/>
        <source>较早的 {count} 项任务未列出（其中 {late} 项超时）</source>
        <translation>{count} earlier tasks not listed ({late} of them overdue)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="924"/>
        <source>{time} {who} · 待发送（连上平台后自动发出）</source>
        <translation>{time} {who} · unsent (goes out once the platform is reachable)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="131"/>
        <source>未选择事件：先在事件列表或地图上选中一个事件</source>
        <extracomment>Why a map card&apos;s 派往所选事件 / 调派至所选事件 is off while no incident is selected.</extracomment>
        <translation>No incident selected: select one in the incident list or on the map first</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="629"/>
        <source>该力量已不在平台上</source>
        <translation>This unit is no longer on the platform</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="631"/>
        <source>该力量{status}，不能派遣</source>
        <translation>This unit is {status}; cannot dispatch</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="669"/>
        <source>该资源{status}，不能调派</source>
        <translation>This resource cannot be dispatched: {status}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="729"/>
        <source>{count} 项派遣任务已提交，等待平台确认…</source>
        <translation>{count} tasks submitted, waiting for the platform to confirm…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="891"/>
        <source>事件{status}，不能上报上级</source>
        <translation>Incident is {status}; cannot escalate</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/incidents.py" line="900"/>
        <source>事件不存在</source>
        <translation>No such incident</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="65"/>
        <source>{name}（{size}）</source>
        <extracomment>Extensions a double click hands to the system to open: pictures, recordings and documents of the kinds field reports carry (WPS and OFD included), none that runs or renders as a page. Everything else is only saved (另存为…): a list of what may open is complete where a list of what may not never is (``.pif``, ``.jse``, ``.mhtml``… each opens, runs or renders on some desk).</extracomment>
        <translation>{name} ({size})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="71"/>
        <location filename="../../commandwall/app/attachments.py" line="170"/>
        <location filename="../../commandwall/app/incidents.py" line="139"/>
        <source>附件</source>
        <translation>Attachment</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="142"/>
        <source>不是文件：{name}</source>
        <extracomment>An incident&apos;s detail lists at most this many of its attached files, the newest; one line before them says how many earlier ones it leaves out (a platform&apos;s timeline may record tens of thousands: listing 60 000 took the window 1.5–1.8 s at each refresh of the timeline).</extracomment>
        <translation>Not a file: {name}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="146"/>
        <location filename="../../commandwall/app/attachments.py" line="175"/>
        <source>无法读取文件：{error}</source>
        <translation>Cannot read the file: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="151"/>
        <source>文件 {name} 为 {size}，超过附件上限 {limit}</source>
        <translation>File {name} is {size}, over the attachment limit of {limit}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="172"/>
        <source>文件超过附件上限 {limit}</source>
        <translation>The file is over the attachment limit of {limit}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="178"/>
        <source>附件未能提交：{error}</source>
        <translation>The attachment was not queued: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="180"/>
        <source>附件 {name} 已提交，等待平台确认…</source>
        <translation>Attachment {name} submitted, waiting for the platform to confirm…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="201"/>
        <source>{error}：{where}</source>
        <translation>{error}: {where}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/attachments.py" line="203"/>
        <location filename="../../commandwall/app/attachments.py" line="207"/>
        <source>无法获取附件：{error}</source>
        <translation>Cannot fetch the attachment: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/datafolder.py" line="56"/>
        <source>磁盘已满</source>
        <translation>disk full</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/datafolder.py" line="58"/>
        <source>数据目录只读</source>
        <translation>data folder read-only</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/datafolder.py" line="60"/>
        <source>正被其他程序占用</source>
        <translation>held by another program</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/datafolder.py" line="68"/>
        <source>{what}未提交：本地发件箱文件{reason}，请关闭占用它的程序后重试</source>
        <translation>{what} not submitted: the local outbox file is {reason}; close that program and try again</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/datafolder.py" line="70"/>
        <source>{what}未提交：本地发件箱无法写入（{reason}），请清理磁盘或检查数据目录后重试</source>
        <translation>{what} not submitted: the local outbox cannot be written ({reason}); free disk space or check the data folder, then try again</translation>
    </message>
</context>
<context>
    <name>layers</name>
    <message>
        <location filename="../../commandwall/app/layer_form.py" line="23"/>
        <source>GeoJSON 文件</source>
        <extracomment>The kinds the form offers: (key, label). ``file`` and ``url`` are both GeoJSON.</extracomment>
        <translation>GeoJSON file</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/layer_form.py" line="24"/>
        <source>GeoJSON 网址</source>
        <translation>GeoJSON URL</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/layer_form.py" line="25"/>
        <source>OGC API Features 集合</source>
        <translation>OGC API Features collection</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/layer_form.py" line="26"/>
        <source>WFS 2.0 要素类型</source>
        <translation>WFS 2.0 feature type</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/layer_form.py" line="27"/>
        <source>WFS 2.0 要素类型（GML 3.2）</source>
        <translation>WFS 2.0 feature type (GML 3.2)</translation>
    </message>
</context>
<context>
    <name>login</name>
    <message>
        <location filename="../../commandwall/app/login.py" line="30"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="45"/>
        <source>、</source>
        <extracomment>The most characters the status bar&apos;s user text has (about): the platform chooses the display name and the roles (up to 64 of 200 characters each), and the status bar has the connection state and the clock to show. The most characters of a display name, a user name or one unknown role in that text.</extracomment>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="63"/>
        <source>{name}（{user}）</source>
        <translation>{name} ({user})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="67"/>
        <source>角色待确认</source>
        <translation>role to be confirmed</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="68"/>
        <source>{name} · {roles} · 未登录（操作暂存本机，登录后发送）</source>
        <translation>{name} · {roles} · not logged in (actions kept on this desk, sent after login)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="71"/>
        <source>{name} · {roles}</source>
        <translation>{name} · {roles}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="112"/>
        <source>请输入用户名</source>
        <translation>Enter the user name</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="114"/>
        <source>请输入密码</source>
        <translation>Enter the password</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="118"/>
        <source>用户名或密码错误：{error}</source>
        <translation>Wrong user name or password: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="120"/>
        <source>平台的应答无法识别：{error}</source>
        <translation>Unrecognised answer from the platform: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="122"/>
        <source>无法连接平台：{error}</source>
        <translation>Cannot reach the platform: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="124"/>
        <source>平台拒绝了登录：{error}</source>
        <translation>The platform refused the login: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="127"/>
        <source>内部错误：{error}</source>
        <translation>Internal error: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="134"/>
        <source>已登录，但密码未保存：{error}</source>
        <translation>Logged in, but the password was not saved: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/login.py" line="135"/>
        <source>已登录，密码已保存到系统密钥环</source>
        <translation>Logged in; password saved to the system keyring</translation>
    </message>
</context>
<context>
    <name>map_page</name>
    <message>
        <location filename="../../commandwall/app/map.py" line="232"/>
        <source>；</source>
        <extracomment>How often (ms) moving units and camera states are redrawn at most: a thousand points per second is enough. How often (s) the units are looked at for one gone stale (or current again) with no change to redraw them for. Which incidents the map shows (set from the overview dashboard; ``NO_FILTER``: all).</extracomment>
        <translation>; </translation>
    </message>
    <message>
        <location filename="../../commandwall/app/map.py" line="233"/>
        <source>部分图层未加载：{errors}</source>
        <translation>Some layers were not loaded: {errors}</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/page.py" line="73"/>
        <source>镇街名称</source>
        <extracomment>Centre of Xuecheng District (薛城区), used when no layer gives an extent. Layer kinds drawn as static GeoJSON, bottom to top. Default styles per kind; a manifest style overrides them key by key. Road weight offset by road class (道路等级: the values of the roads layer&apos;s ``class``, data, not shown). Title of the town label overlay in the layer control.</extracomment>
        <translation>Town names</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/payload.py" line="47"/>
        <source>医院</source>
        <extracomment>Chinese names of emergency resource types (应急资源), translated where the payload is built.</extracomment>
        <translation>Hospital</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/payload.py" line="48"/>
        <source>消防站</source>
        <translation>Fire station</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/payload.py" line="49"/>
        <source>避难场所</source>
        <translation>Shelter</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/payload.py" line="50"/>
        <source>物资储备库</source>
        <translation>Supply depot</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/payload.py" line="170"/>
        <location filename="../../commandwall/mapdoc/strings.py" line="37"/>
        <source>无任务</source>
        <extracomment>The number columns of :func:`camera_columns`: (page name, model field, little-endian dtype).</extracomment>
        <translation>No task</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/payload.py" line="173"/>
        <source>{status} · 任务{task}</source>
        <translation>{status} · task {task}</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="21"/>
        <source>薛城区 一张图</source>
        <extracomment>key -&gt; the Chinese source text of the page&apos;s own visible strings (context ``map_page``).</extracomment>
        <translation>Xuecheng District Map</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="23"/>
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="24"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="25"/>
        <source>状态未知（非实时）</source>
        <translation>Status unknown (not live)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="27"/>
        <source>医</source>
        <translation>H</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="28"/>
        <source>消</source>
        <translation>F</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="29"/>
        <source>避</source>
        <translation>S</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="30"/>
        <source>储</source>
        <translation>D</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="31"/>
        <source>资</source>
        <translation>R</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="32"/>
        <source>容量 {capacity}</source>
        <translation>Capacity {capacity}</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="34"/>
        <source>部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="35"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="36"/>
        <source>任务</source>
        <translation>Task</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="38"/>
        <source>最后上报</source>
        <translation>Last report</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="39"/>
        <source>{time}（{age}，位置可能已变）</source>
        <translation>{time} ({age}; it may have moved since)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="40"/>
        <source>最后上报于{age}，位置可能已变</source>
        <translation>Last reported {age}; it may have moved since</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="41"/>
        <source>派往所选事件</source>
        <translation>Send to selected incident</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="42"/>
        <source>调派至所选事件</source>
        <translation>Dispatch to selected incident</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="43"/>
        <source>所选事件：{title}</source>
        <translation>Selected incident: {title}</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="44"/>
        <source>附近的在办事件：</source>
        <translation>Open incidents nearby:</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="45"/>
        <source>{title} · {distance}</source>
        <translation>{title} · {distance}</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="46"/>
        <source>正在确认…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="47"/>
        <source>未连接</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="48"/>
        <source>无法确认能否派遣，请稍后重新打开</source>
        <translation>Cannot check whether a dispatch is possible; open the card again later</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="49"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="50"/>
        <source>所在镇街</source>
        <translation>Town</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="51"/>
        <source>容量</source>
        <translation>Capacity</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="52"/>
        <source>编号</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="53"/>
        <source>位置</source>
        <translation>Position</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="55"/>
        <source>可用</source>
        <translation>Available</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="56"/>
        <source>使用中</source>
        <translation>In use</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="57"/>
        <source>维护中</source>
        <translation>Under maintenance</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="58"/>
        <source>不可用</source>
        <translation>Out of service</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="59"/>
        <source>状态未知</source>
        <translation>Status unknown</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="60"/>
        <source>状态未知（{status}）</source>
        <translation>Status unknown ({status})</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="62"/>
        <source>无底图</source>
        <translation>No base map</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="63"/>
        <source>底图「{title}」无法加载（服务器无响应或地址有误），正在重试</source>
        <translation>Base map “{title}” cannot be loaded (server not answering or wrong address); retrying</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="64"/>
        <source>底图「{title}」的注记无法加载，正在重试</source>
        <translation>Labels of base map “{title}” cannot be loaded; retrying</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="65"/>
        <source>移动鼠标查看坐标</source>
        <translation>Move the mouse to see coordinates</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="66"/>
        <source>点击复制坐标</source>
        <translation>Click to copy the coordinates</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="68"/>
        <source>图例</source>
        <translation>Legend</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="69"/>
        <source>摄像头（在线）</source>
        <translation>Camera (online)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="70"/>
        <source>摄像头（离线）</source>
        <translation>Camera (offline)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="71"/>
        <source>摄像头聚合（数字为数量，绿弧为在线占比）</source>
        <translation>Camera cluster (number: count; green arc: share online)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="72"/>
        <source>事件 · {priority}</source>
        <translation>Incident · {priority}</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="73"/>
        <source>事件 · 已办结</source>
        <translation>Incident · Resolved</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="74"/>
        <source>预警区域（颜色为预警级别）</source>
        <translation>Warning area (colour: warning level)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="75"/>
        <source>处置力量（点击查看、派遣）</source>
        <translation>Field units (click to view, dispatch)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="76"/>
        <source>处置力量（超过 {minutes} 分钟无上报，位置可能已变）</source>
        <translation>Field units silent for over {minutes} min (may have moved since)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="77"/>
        <location filename="../../commandwall/mapdoc/strings.py" line="85"/>
        <source>应急资源</source>
        <translation>Emergency resources</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="79"/>
        <location filename="../../commandwall/mapdoc/strings.py" line="93"/>
        <source>摄像头</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="80"/>
        <source>摄像头视域</source>
        <translation>Camera views</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="81"/>
        <location filename="../../commandwall/mapdoc/strings.py" line="94"/>
        <source>事件</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="82"/>
        <source>事件密度（网格）</source>
        <translation>Incident density (grid)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="83"/>
        <source>预警区域</source>
        <translation>Warning areas</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="84"/>
        <source>处置力量</source>
        <translation>Field units</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="86"/>
        <source>事件 {count} 起</source>
        <translation>{count} incident(s)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="88"/>
        <source>预警</source>
        <translation>Early warning</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="89"/>
        <source>圆形区域 半径 {radius} km</source>
        <translation>Circular area, radius {radius} km</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="91"/>
        <source>搜索 摄像头 / 镇街 / 网格 / 事件 / 力量</source>
        <translation>Search: camera, town, grid, incident, unit</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="92"/>
        <source>无结果</source>
        <translation>No results</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="95"/>
        <source>镇街</source>
        <translation>Town</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="96"/>
        <source>网格</source>
        <translation>Grid</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="97"/>
        <source>力量</source>
        <translation>Unit</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="99"/>
        <source>测距</source>
        <translation>Distance</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="100"/>
        <source>测面</source>
        <translation>Area</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="101"/>
        <source>测量距离（双击结束）</source>
        <translation>Measure a distance (double-click to finish)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="102"/>
        <source>测量面积（双击结束）</source>
        <translation>Measure an area (double-click to finish)</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="103"/>
        <source>清除测量</source>
        <translation>Clear the measurement</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="104"/>
        <source>{area}（周长 {perimeter}）</source>
        <translation>{area} (perimeter {perimeter})</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="105"/>
        <source>{value} 公里</source>
        <translation>{value} km</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="106"/>
        <source>{value} 米</source>
        <translation>{value} m</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="107"/>
        <source>{value} 平方公里</source>
        <translation>{value} km²</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="108"/>
        <source>{value} 平方米</source>
        <translation>{value} m²</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="110"/>
        <source>框选</source>
        <translation>Box</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="111"/>
        <source>框选：拖动，或点击两个对角</source>
        <translation>Box: drag, or click two opposite corners</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="112"/>
        <source>圈选</source>
        <translation>Circle</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="113"/>
        <source>圈选：从圆心拖到圆周，或点击圆心再点击圆周</source>
        <translation>Circle: drag from the centre to the edge, or click the centre, then a point on the edge</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="114"/>
        <source>多边形</source>
        <translation>Polygon</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="115"/>
        <source>多边形：逐点点击，双击结束</source>
        <translation>Polygon: click each corner, double-click to finish</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="116"/>
        <source>上墙</source>
        <translation>To wall</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="117"/>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="118"/>
        <source>区域内</source>
        <translation>Inside</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="119"/>
        <source>视域覆盖</source>
        <translation>Sees the area</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="120"/>
        <source>{why} · 离线</source>
        <translation>{why} · offline</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="121"/>
        <source>移出选择</source>
        <translation>Remove from selection</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="122"/>
        <source>已选摄像头 {count} 个</source>
        <translation>{count} camera(s) selected</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="146"/>
        <source>zh-CN</source>
        <extracomment>Every table the page gets, with the context its strings are translated in. The BCP 47 tag the page formats numbers with, as the catalogue gives it for the chosen language.</extracomment>
        <translation>en</translation>
    </message>
</context>
<context>
    <name>outboxes</name>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="58"/>
        <source>派遣任务</source>
        <extracomment>What each kind of waiting action is called in the list.</extracomment>
        <translation>Dispatch task</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="59"/>
        <source>状态变更</source>
        <translation>Status change</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="60"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="61"/>
        <source>附件</source>
        <translation>Attachment</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="66"/>
        <source>不是普通文件</source>
        <extracomment>Why another outbox file could not be read, as the officer reads it.</extracomment>
        <translation>not a regular file</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="67"/>
        <source>正被其他程序占用</source>
        <translation>held by another program</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="68"/>
        <source>文件已损坏或无法读取</source>
        <translation>damaged or unreadable</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="118"/>
        <source>{name}：无法读取（{problem}），其中是否有待发送的操作不明</source>
        <extracomment>a dispatch&apos;s unit, department and instructions (&quot;&quot; for other kinds, or when the row does not say)</extracomment>
        <translation>{name}: cannot be read ({problem}); whether actions wait in it is not known</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="122"/>
        <source>{user}（平台 {platform}）：{count} 项</source>
        <translation>{user} (platform {platform}): {count}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="124"/>
        <source>{user}：{count} 项</source>
        <translation>{user}: {count}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="128"/>
        <source>「{action}」</source>
        <translation>“{action}”</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="147"/>
        <source>本机另一发件箱文件 {name} 无法读取（{problem}）：其中可能有尚未送达的操作</source>
        <translation>Another outbox file on this desk, {name}, cannot be read ({problem}): it may hold actions not yet delivered</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="150"/>
        <source>本机另一用户有 {count} 项操作尚未送达平台（文件 {name}，需以该用户登录发送）</source>
        <translation>Another user of this desk has {count} action(s) not yet delivered to the platform (file {name}; that user must log in to send them)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="153"/>
        <source>用户 {user} 有 {count} 项操作尚未送达平台（需以该用户登录发送）</source>
        <translation>User {user} has {count} action(s) not yet delivered to the platform (that user must log in to send them)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/outboxes.py" line="155"/>
        <source>用户 {user} 在平台 {platform} 有 {count} 项操作尚未送达（需以该用户登录该平台发送）</source>
        <translation>User {user} has {count} action(s) not yet delivered to the platform {platform} (that user must log in to that platform to send them)</translation>
    </message>
</context>
<context>
    <name>presets</name>
    <message>
        <location filename="../../commandwall/video/presets.py" line="130"/>
        <source>预案名称须为 1–{max} 个字符，且不含 / \ : * ? &quot; &lt; &gt; |</source>
        <translation>A preset name has 1–{max} characters and none of / \ : * ? &quot; &lt; &gt; |</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="85"/>
        <source>预案「{name}」有 {count} 个画面的摄像机，布局 {layout} 只有 {tiles} 个画面</source>
        <extracomment>the file version of a one-wall preset; :data:`WALLS_VERSION` lists several walls walls one preset may arrange (a command centre&apos;s wall screens) a preset file larger than this is not a preset longest preset name names Windows gives to devices, whatever the extension (``CON.json`` is the console)</extracomment>
        <translation>Preset “{name}” has cameras for {count} tiles; layout {layout} has only {tiles}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="92"/>
        <source>预案「{name}」含无效的摄像机编号 {id}</source>
        <translation>Preset “{name}” has an invalid camera ID {id}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="108"/>
        <source>预案「{name}」的 &quot;walls&quot; 应为对象列表</source>
        <translation>Preset “{name}”: &quot;walls&quot; must be a list of objects</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="174"/>
        <source>不是有效的 JSON（第 {line} 行）</source>
        <translation>Not valid JSON (line {line})</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="171"/>
        <source>JSON 嵌套过深</source>
        <translation>JSON nested too deep</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="177"/>
        <source>不是视频墙预案文件（缺少 &quot;format&quot;: &quot;{format}&quot;）</source>
        <translation>Not a video wall preset file (no &quot;format&quot;: &quot;{format}&quot;)</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="111"/>
        <source>&quot;cameras&quot; 应为摄像机编号列表</source>
        <translation>&quot;cameras&quot; must be a list of camera IDs</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="173"/>
        <source>含位数过多、无法读取的数字</source>
        <translation>Holds a number with too many digits to read</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="180"/>
        <source>预案文件版本 {version} 不受支持（应为 {one} 或 {several}）</source>
        <translation>Preset file version {version} is not supported (expected {one} or {several})</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="184"/>
        <source>缺少预案名称 &quot;name&quot;</source>
        <translation>The preset name &quot;name&quot; is missing</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="189"/>
        <source>预案「{name}」缺少 &quot;walls&quot; 列表</source>
        <translation>Preset “{name}” has no &quot;walls&quot; list</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="197"/>
        <source>预案「{name}」有 {count} 面视频墙，最多 {most} 面</source>
        <translation>Preset “{name}” has {count} walls; at most {most} are allowed</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="205"/>
        <source>预案「{name}」的 &quot;tour&quot; 应含 &quot;camera_ids&quot; 列表</source>
        <translation>The &quot;tour&quot; of preset “{name}” needs a &quot;camera_ids&quot; list</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="209"/>
        <source>预案「{name}」的轮巡名称 &quot;name&quot; 应为文字</source>
        <translation>The tour name &quot;name&quot; of preset “{name}” must be text</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="224"/>
        <source>预案文件 {name} 无法使用：{problem}</source>
        <translation>Preset file {name} cannot be used: {problem}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="334"/>
        <source>文件过大（超过 {kb} KB）</source>
        <extracomment>what tells a file changed: modification time (ns), size, inode; None when it cannot be looked at</extracomment>
        <translation>File too large (over {kb} KB)</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="340"/>
        <source>读取失败（{error}）</source>
        <translation>Read failed ({error})</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="293"/>
        <source>与 {file} 中的预案同名（{name}），未使用</source>
        <extracomment>per file read (folder, file name): the stamp it had then, its path, the preset or why it is unusable</extracomment>
        <translation>same name ({name}) as the preset in {file}; not used</translation>
    </message>
</context>
<context>
    <name>ptz</name>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="40"/>
        <source>云台控制失败：{reason}</source>
        <extracomment>Actions of ``POST /api/v1/cameras/{id}/ptz``. Speed range of a PTZ command. Camera kinds the client offers PTZ control for (the platform also accepts ``dome``).</extracomment>
        <translation>PTZ control failed: {reason}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="63"/>
        <source>摄像机离线</source>
        <translation>camera offline</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="65"/>
        <source>该摄像机不支持云台控制</source>
        <translation>this camera has no PTZ control</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="67"/>
        <source>指令无效</source>
        <translation>invalid command</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="69"/>
        <source>当前账号无云台控制权限</source>
        <translation>this account may not control PTZ</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="71"/>
        <source>平台上没有这台摄像机</source>
        <translation>the platform has no such camera</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="73"/>
        <source>登录已失效，平台拒绝了账号</source>
        <translation>the login expired; the platform refused the account</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="75"/>
        <source>无法连接平台，请检查网络</source>
        <translation>cannot reach the platform; check the network</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="77"/>
        <source>摄像机当前无法执行该指令</source>
        <translation>the camera cannot carry out this command now</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="78"/>
        <source>平台返回错误</source>
        <translation>the platform returned an error</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/ptz.py" line="147"/>
        <source>客户端内部错误</source>
        <translation>internal client error</translation>
    </message>
</context>
<context>
    <name>refusals</name>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="17"/>
        <source>平台无法读取该请求</source>
        <extracomment>The contract&apos;s error codes (and the desk&apos;s own, for rows it failed itself) → what the officer reads.</extracomment>
        <translation>The platform could not read the request</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="18"/>
        <source>登录已失效，平台未接受</source>
        <translation>The login had expired; the platform did not accept it</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="19"/>
        <source>用户名或密码错误</source>
        <translation>Wrong user name or password</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="20"/>
        <source>当前账号无权进行该操作</source>
        <translation>This account may not do that</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="21"/>
        <source>当前账号的角色无权进行该操作</source>
        <translation>This account&apos;s role may not do that</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="22"/>
        <source>该操作须填写原因</source>
        <translation>This action needs a reason</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="23"/>
        <source>合并须选择保留的事件</source>
        <translation>A merge needs the incident to keep</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="24"/>
        <source>不能合并到所选事件（该事件已办结、已合并或是本事件）</source>
        <translation>Cannot merge into the chosen incident (it is finished, merged, or this incident)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="25"/>
        <source>平台上没有该对象（可能已被删除）</source>
        <translation>The platform does not have it (it may have been deleted)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="26"/>
        <source>平台不支持该请求</source>
        <translation>The platform does not support this request</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="27"/>
        <source>内容过长，平台未接受</source>
        <translation>Too long; the platform did not accept it</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="28"/>
        <source>内容不符合平台要求</source>
        <translation>The content does not meet the platform&apos;s rules</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="29"/>
        <source>平台不接受该查询位置</source>
        <translation>The platform does not accept this position in the list</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="30"/>
        <source>事件已被他人更新</source>
        <translation>Another desk updated the incident</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="31"/>
        <source>事件当前的状态不允许该操作</source>
        <translation>The incident&apos;s current status does not allow this action</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="32"/>
        <source>任务时限在送达平台前已过，请重新设定时限后派遣</source>
        <translation>The task&apos;s deadline passed before it reached the platform; dispatch again with a new deadline</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="33"/>
        <source>平台上没有该事件（可能已被删除或平台数据已重置）</source>
        <translation>The platform does not have this incident (deleted, or the platform&apos;s data was reset)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="34"/>
        <source>平台上没有该处置力量</source>
        <translation>The platform does not have this unit</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="35"/>
        <source>平台已收到内容不同的同一操作，未再执行</source>
        <translation>The platform already received this action with other content; it was not done again</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="36"/>
        <source>该摄像机不支持云台控制</source>
        <translation>This camera has no PTZ control</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="37"/>
        <source>摄像机离线</source>
        <translation>Camera offline</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="38"/>
        <source>附件过大，平台未接受</source>
        <translation>The attachment is too large; the platform did not accept it</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="39"/>
        <source>平台内部错误</source>
        <translation>Internal error of the platform</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="40"/>
        <source>本机保存的记录已损坏，无法发送</source>
        <translation>The record kept on this desk is damaged and cannot be sent</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="41"/>
        <source>平台数据已重置或回退，该操作暂未发送：请核对事件后重试或忽略</source>
        <translation>The platform&apos;s data was reset or restored; this action was not sent: check the incident, then retry or dismiss</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="42"/>
        <source>本机保存的附件文件已丢失，请重新添加附件</source>
        <translation>The attachment kept on this desk is lost; attach the file again</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="54"/>
        <source>平台拒绝了该操作（HTTP {status}）</source>
        <translation>The platform refused the action (HTTP {status})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="55"/>
        <source>平台拒绝了该操作</source>
        <translation>The platform refused the action</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="74"/>
        <source>平台原文：{text}</source>
        <translation>Platform&apos;s words: {text}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/refusals.py" line="75"/>
        <source>平台原文：{text}（{where}）</source>
        <translation>Platform&apos;s words: {text} ({where})</translation>
    </message>
</context>
<context>
    <name>screens</name>
    <message>
        <location filename="../../commandwall/app/screens.py" line="56"/>
        <source>综合（全部）</source>
        <extracomment>a profile file larger than this is refused unread (a desk has a handful of screens) screens one profile may name a screen&apos;s width or height in a profile is at most this (px) a new screen takes the role of one that is gone when each side is within this factor of the old one&apos;s a profile name: check it with ``fullmatch`` (Python&apos;s ``$`` also matches before a final newline); the pattern is also the setting&apos;s, checked by pydantic&apos;s regex engine, which knows no ``Z``</extracomment>
        <translation>Console (everything)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/screens.py" line="57"/>
        <source>地图</source>
        <translation>Map</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/screens.py" line="58"/>
        <source>视频墙</source>
        <translation>Video wall</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/screens.py" line="59"/>
        <source>事件中心</source>
        <translation>Incident centre</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/screens.py" line="60"/>
        <source>综合态势</source>
        <translation>Overview</translation>
    </message>
</context>
<context>
    <name>sensors</name>
    <message>
        <location filename="../../commandwall/domain/sensors.py" line="35"/>
        <source>正常</source>
        <extracomment>Names of the levels and kinds (translated where shown: :func:`level_label`, :func:`sensor_kind_label`).</extracomment>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/sensors.py" line="36"/>
        <source>预警</source>
        <translation>Warning</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/sensors.py" line="37"/>
        <source>报警</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/sensors.py" line="40"/>
        <source>空气质量</source>
        <translation>Air quality</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/sensors.py" line="41"/>
        <source>水位</source>
        <translation>Water level</translation>
    </message>
</context>
<context>
    <name>session</name>
    <message>
        <location filename="../../commandwall/app/session.py" line="230"/>
        <source>内部错误: {error}</source>
        <translation>Internal error: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="226"/>
        <source>{reason}（{seconds} 秒后重试）</source>
        <extracomment>Seconds a stream that went live again must have been so before the outbox sends (see ``_outbox_may_send``). Start-up failed on the platform (unreachable, refused, answering garbage): what the officer reads. Start-up failed on something of the desk&apos;s own (a fault of the desk&apos;s, a file it cannot read; the user&apos;s outbox never holds start-up: on_outbox_problem): what the officer reads — never said as a failure to connect to the platform. A login is needed (no password for a real platform, login refused, token refused): the reason, or &quot;&quot;. The platform cannot be reached at start-up: the stores show the last known state, saved at this time. Something the duty officer must know that is no failure to connect (a damaged local file set aside). The user&apos;s outbox cannot be used now (another program holds it, the disk is full or read-only): what the officer reads — no action can be queued, the file is tried again —; &quot;&quot; once it can (or no one is logged in). The platform&apos;s data went back (reset, restored from a backup): the stores were loaded again as a whole, as at a login, and the views are to show them afresh (``on_notice`` tells the officer). Not logged in: the platform could not be reached at start-up, and this is the configured user, whose actions queue in his outbox until he is logged in (``roles`` as the last known state kept them). False while offline with no roles kept: ``roles`` then lets every action queue and the platform decides. A real platform without a password: ask the user (``on_login_needed``) instead of trying the exercise accounts&apos; convention (password = user name). The GUI asks; the screenshot mode does not. The platform&apos;s layer catalogue as read (平台图层): every entry, with its features or why not. Why the catalogue itself could not be had (the local layer folder is drawn instead), or None. When the last known state shown was saved, while the stores hold it instead of live data. The platform&apos;s clock, from its answers: the desk&apos;s &quot;now&quot; follows it (``localtime.now``). The platform&apos;s data epoch, from its answers: a new one means its data was reset or restored. Why the signed-in user&apos;s outbox could not be opened (the desk works on, queuing nothing), or None. The desk&apos;s other outboxes with actions pending (another user&apos;s, another platform&apos;s), as last read. First pause (s) before start-up is tried again, and the longest one. First pause (s) before an outbox that could not be opened is tried again, and the longest one. Set to end the thread trying the user&apos;s outbox again (None: none runs); under ``_parts_lock``.</extracomment>
        <translation>{reason} (retrying in {seconds} s)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="231"/>
        <source>启动未完成：{reason}（{seconds} 秒后重试）</source>
        <translation>Start-up not completed: {reason} (retrying in {seconds} s)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="241"/>
        <source>正在启动演练后台…</source>
        <translation>Starting the exercise backend…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="256"/>
        <source>正在登录平台…</source>
        <translation>Logging in to the platform…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="277"/>
        <source>平台不可达</source>
        <translation>platform unreachable</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="334"/>
        <source>平台拒绝了 {user} 的登录：其 {count} 项操作仍保存在本机待发送，请以该用户重新登录后发出</source>
        <translation>The platform refused the login of {user}: his {count} action(s) are still kept on this desk; log in again as that user to send them</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="349"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="363"/>
        <source>平台尚未就绪，请稍后再试</source>
        <translation>The platform is not ready yet; try again shortly</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="425"/>
        <source>登录已失效，请重新登录（{error}）</source>
        <translation>The login expired; please log in again ({error})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="437"/>
        <source>正在加载图层…</source>
        <translation>Loading layers…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="442"/>
        <source>正在加载视频点位、处置力量和事件…</source>
        <translation>Loading cameras, field units and incidents…</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="501"/>
        <source>平台数据已重置或回退，已重新载入</source>
        <translation>The platform&apos;s data was reset or rolled back; everything has been reloaded</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="503"/>
        <source>{count} 项未发送的操作已暂停（事件可能已非原事件），请在「未送达的操作」核对</source>
        <translation>{count} unsent actions are held (the incident may no longer be the one meant): check them under &quot;Undelivered actions&quot;</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="572"/>
        <source>本机发件箱文件 {name} 正被其他程序占用：派遣、受理、备注等操作暂时无法暂存和提交，平台数据照常显示；文件释放后自动恢复</source>
        <translation>This desk&apos;s outbox file {name} is held by another program: dispatches, workflow steps and notes cannot be queued or submitted for now; the platform&apos;s data is shown as usual, and actions work again by themselves once the file is free</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="575"/>
        <source>本机发件箱 {name} 无法使用（{reason}）：派遣、受理、备注等操作无法暂存和提交，请检查数据目录；修复后自动恢复</source>
        <translation>This desk&apos;s outbox {name} cannot be used ({reason}): dispatches, workflow steps and notes cannot be queued or submitted; check the data folder — actions work again by themselves once it is mended</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="629"/>
        <source>本机发件箱 {name} 已恢复：派遣、受理、备注等操作可以正常暂存和提交</source>
        <translation>This desk&apos;s outbox {name} works again: dispatches, workflow steps and notes are queued and submitted as usual</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="559"/>
        <source>发件箱文件无法使用，已另存为 {name}（未发出的操作请人工核对），已新建发件箱</source>
        <translation>The outbox file could not be used: kept as {name} (check its unsent actions by hand); a new outbox was started</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="774"/>
        <source>平台数据已重置或回退：此前暂存的操作已暂停，请在「未送达的操作」核对</source>
        <translation>The platform&apos;s data was reset or restored: actions queued earlier are on hold, check them under Undelivered actions</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="832"/>
        <location filename="../../commandwall/app/session.py" line="839"/>
        <location filename="../../commandwall/app/session.py" line="852"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/session.py" line="851"/>
        <source>未登录：未配置用户，平台恢复前无法暂存操作</source>
        <translation>Not logged in: no user is configured, so actions cannot be kept until the platform is back</translation>
    </message>
</context>
<context>
    <name>supervision</name>
    <message>
        <location filename="../../commandwall/domain/supervision.py" line="24"/>
        <source>{task} 超时 {minutes} 分钟</source>
        <extracomment>The action an overdue incident is escalated with.</extracomment>
        <translation>{task} {minutes} min overdue</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/supervision.py" line="25"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/supervision.py" line="26"/>
        <source>任务超时</source>
        <translation>tasks overdue</translation>
    </message>
    <message>
        <location filename="../../commandwall/domain/supervision.py" line="27"/>
        <source>督办：{tasks}，上报上级</source>
        <translation>Supervision: {tasks}; escalated</translation>
    </message>
</context>
<context>
    <name>tour</name>
    <message>
        <location filename="../../commandwall/video/tour.py" line="45"/>
        <source>轮巡名称不能为空</source>
        <extracomment>dwell used when none is given</extracomment>
        <translation>A tour needs a name</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="47"/>
        <source>轮巡「{name}」没有摄像机</source>
        <translation>Tour “{name}” has no cameras</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="50"/>
        <source>轮巡「{name}」含无效的摄像机编号 {id}</source>
        <translation>Tour “{name}” has an invalid camera ID {id}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="54"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="55"/>
        <source>轮巡「{name}」中摄像机重复：{ids}</source>
        <translation>Tour “{name}” lists cameras twice: {ids}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="59"/>
        <source>轮巡停留时间无效：{dwell}</source>
        <translation>Invalid tour dwell time: {dwell}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="63"/>
        <source>轮巡停留时间须在 {min}–{max} 秒之间，而不是 {dwell} 秒</source>
        <translation>The tour dwell time must be {min}–{max} s, not {dwell} s</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="153"/>
        <source>（未知街镇）</source>
        <translation>(unknown town)</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="154"/>
        <location filename="../../commandwall/video/tour.py" line="166"/>
        <source>{place} 没有摄像机，无法轮巡</source>
        <translation>{place} has no cameras to tour</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="165"/>
        <source>（未知网格）</source>
        <translation>(unknown grid)</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="175"/>
        <source>「{name}」没有可轮巡的摄像机</source>
        <translation>“{name}” has no cameras to tour</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="182"/>
        <source>轮巡：{name} 第 {page}/{pages} 页</source>
        <translation>Tour: {name} page {page}/{pages}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="184"/>
        <source>轮巡：{name} 暂无在线摄像机</source>
        <translation>Tour: {name} no camera online</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/tour.py" line="185"/>
        <source>{status}（已暂停）</source>
        <translation>{status} (paused)</translation>
    </message>
</context>
<context>
    <name>wall</name>
    <message>
        <location filename="../../commandwall/app/wall.py" line="32"/>
        <source>请先在事件中心选择一个事件</source>
        <extracomment>Where the wall looks at start when no incident is open: the centre of 临城街道 (lon, lat). Cameras a tour around an incident takes (the nearest that look at it first). Hints (source text; shown as ``translate(&quot;wall&quot;, …)`` of it).</extracomment>
        <translation>Select an incident in the incident centre first</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/wall.py" line="33"/>
        <source>请先在视频点位中选择摄像机，或在事件中心选择一个事件</source>
        <translation>Select a camera in the camera list, or an incident in the incident centre, first</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/wall.py" line="81"/>
        <source>预案「{name}」已调取（{layout}画面）</source>
        <translation>Preset “{name}” recalled ({layout}-tile layout)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/wall.py" line="84"/>
        <source>，共 {count} 面视频墙</source>
        <translation>, {count} walls</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/wall.py" line="86"/>
        <location filename="../../commandwall/video/layout.py" line="76"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../commandwall/app/wall.py" line="88"/>
        <source>；{count} 个摄像机不在平台点位中，已留空：{cameras}</source>
        <translation>; {count} camera(s) not on the platform, left empty: {cameras}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/wall.py" line="91"/>
        <source>；本机只有 {shown} 面视频墙屏，预案的后 {left} 面墙未调取</source>
        <translation>; this desk has only {shown} wall screen(s): the preset&apos;s last {left} wall(s) were not recalled</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/wall.py" line="176"/>
        <source>{title} 周边</source>
        <translation>Around {title}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/dragdrop.py" line="40"/>
        <source>拖放的摄像机数据无法读取 ({error})</source>
        <extracomment>camera ids, a JSON array of strings, UTF-8 a wall tile being moved: ``{&quot;wall&quot;: &quot;&lt;wall id&gt;&quot;, &quot;tile&quot;: &lt;index&gt;}``, UTF-8 JSON at most this many cameras are taken from one drop (the largest layout&apos;s tiles) a camera id longer than this is not an id (the domain&apos;s limit)</extracomment>
        <translation>The dropped camera data cannot be read ({error})</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/dragdrop.py" line="43"/>
        <location filename="../../commandwall/video/dragdrop.py" line="59"/>
        <source>拖放的摄像机数据应为编号列表</source>
        <translation>The dropped camera data must be a list of IDs</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/dragdrop.py" line="47"/>
        <source>拖放的数据含无效的摄像机编号：{id}</source>
        <translation>The dropped data has an invalid camera ID: {id}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/layout.py" line="57"/>
        <source>{key}画面</source>
        <extracomment>tile counts of the square grids the wall offers the most tiles any layout has tiles narrower than this (device pixels) play the sub stream (~640×360) a tile must cross the threshold by this much before it switches, so a resize that wobbles around 800 px does not reconnect the stream over and over</extracomment>
        <translation>{key}-tile</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/layout.py" line="77"/>
        <source>无此画面布局：{layout}（可选 {offered}）</source>
        <translation>No such layout: {layout} (choose from {offered})</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/snapshot.py" line="32"/>
        <source>{name}（{id}）  {time}</source>
        <translation>{name} ({id})  {time}</translation>
    </message>
    <message>
        <location filename="../../commandwall/video/presets.py" line="145"/>
        <source>预案至少含一面视频墙</source>
        <translation>A preset holds at least one wall</translation>
    </message>
</context>
<context>
    <name>warnings</name>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="197"/>
        <source>（更新）</source>
        <extracomment>The path of the exercise backend&apos;s feed. CAP severity → incident priority (1 特急 … 4 提示). Colours of the overlays by severity. Where a warning without a polygon is placed (the district&apos;s centre). How long one document may take to arrive (a real CAP document is a few kB): a trickling one is given up on. No new document is asked for after this long in one poll (the rest wait for the next poll). every chain made, in order (a chain replaced by an Update stays: its incident shows it merged) keys of alerts not seen yet → the Update or Cancel that named them (applied when they come) (referring alert, referenced key) of references to another sender&apos;s alert, not followed (to be reported)</extracomment>
        <translation> (update)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="199"/>
        <source>（{time} 生效）</source>
        <translation> (in effect from {time})</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="200"/>
        <source>预警</source>
        <translation>Early warning</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="205"/>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="222"/>
        <source>{time} 起生效</source>
        <translation>In effect from {time}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="267"/>
        <source>预警区域内：摄像机 {cameras} 路，未办结事件 {incidents} 起</source>
        <translation>In the warning area: {cameras} camera(s), {incidents} open incident(s)</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="342"/>
        <source>预警源不可用：{error}</source>
        <translation>Warning feed unavailable: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="348"/>
        <location filename="../../commandwall/app/warnings.py" line="352"/>
        <source>预警文件 {name} 无法读取：{error}</source>
        <translation>Warning file {name} cannot be read: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="357"/>
        <source>预警 {alert}（{sender}）引用他人的预警 {other}（{other_sender}），未采用</source>
        <translation>Warning {alert} ({sender}) refers to another sender&apos;s warning {other} ({other_sender}): not applied</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="426"/>
        <source>不是普通文件</source>
        <translation>not a regular file</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="429"/>
        <source>文件过大</source>
        <translation>file too large</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="448"/>
        <source>预警文件 {name} 已跳过：{error}</source>
        <translation>Warning file {name} skipped: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="456"/>
        <source>预警源</source>
        <translation>warning feed</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="463"/>
        <source>预警源索引</source>
        <translation>warning feed index</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="477"/>
        <source>地址无效</source>
        <translation>invalid address</translation>
    </message>
    <message>
        <location filename="../../commandwall/app/warnings.py" line="487"/>
        <source>预警文件 {name} 无法获取：{error}</source>
        <translation>Warning file {name} cannot be fetched: {error}</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="134"/>
        <source>特别严重</source>
        <extracomment>CAP severities of early-warning areas (their own context: 一般 is Minor here, not a priority level).</extracomment>
        <translation>Extreme</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="135"/>
        <source>严重</source>
        <translation>Severe</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="136"/>
        <source>较重</source>
        <translation>Moderate</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="137"/>
        <source>一般</source>
        <translation>Minor</translation>
    </message>
    <message>
        <location filename="../../commandwall/mapdoc/strings.py" line="138"/>
        <source>未知</source>
        <translation>Unknown</translation>
    </message>
</context>
</TS>
