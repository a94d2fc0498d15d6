<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>AboutBox</name>
    <message>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <source>薛城区一体化综合指挥平台 桌面客户端</source>
        <translation>Xuecheng District Integrated Command Platform — Desktop Client</translation>
    </message>
    <message>
        <source>版本</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>构建日期</source>
        <translation>Build date</translation>
    </message>
    <message>
        <source>开发版（源码运行）</source>
        <translation>Development build (run from source)</translation>
    </message>
    <message>
        <source>源码版本</source>
        <translation>Source revision</translation>
    </message>
    <message>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <source>日志文件</source>
        <translation>Log file</translation>
    </message>
</context>
<context>
    <name>AddLayerDialog</name>
    <message>
        <source>集合</source>
        <translation>Collection</translation>
    </message>
    <message>
        <source>要素类型</source>
        <translation>Feature type</translation>
    </message>
    <message>
        <source>添加图层</source>
        <translation>Add Layer</translation>
    </message>
    <message>
        <source>选择文件…</source>
        <translation>Choose File…</translation>
    </message>
    <message>
        <source>检查</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>添加</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>检查：读取图层，列出要素数、几何类型、范围和无效要素</source>
        <translation>Check: reads the layer and lists its feature count, geometry types, extent and invalid features</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>文件或网址</source>
        <translation>File or URL</translation>
    </message>
    <message>
        <source>坐标系</source>
        <translation>CRS</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>http://host/ogcapi  或  …/collections/ID/items</source>
        <translation>http://host/ogcapi  or  …/collections/ID/items</translation>
    </message>
    <message>
        <source>选择 GeoJSON 文件</source>
        <translation>Choose a GeoJSON File</translation>
    </message>
    <message>
        <source>无法检查：{reason}</source>
        <translation>Cannot check: {reason}</translation>
    </message>
    <message>
        <source>检查中：{where}…</source>
        <translation>Checking {where}…</translation>
    </message>
    <message>
        <source>无法添加：{reason}</source>
        <translation>Cannot add: {reason}</translation>
    </message>
</context>
<context>
    <name>AlarmLinkage</name>
    <message>
        <source>已恢复告警前的视频墙画面</source>
        <extracomment>How long the toast stays up unless the officer acknowledges the alarm first. How long after connecting the alarm sound is loaded (the window is drawn and quiet by then). How often alarms that wait for the wall (an alarm storm, see ``app.alarm``) are looked at. The map is told to select the incident this long after flying there: by then it has drawn the batch.</extracomment>
        <translation>Video wall restored to how it was before the alarm</translation>
    </message>
    <message>
        <source>视频墙布局已改变，告警前的画面无法恢复</source>
        <translation>The wall layout has changed: the view from before the alarm cannot be restored</translation>
    </message>
    <message>
        <source>告警声音无法播放：{reason}</source>
        <translation>The alarm sound cannot play: {reason}</translation>
    </message>
    <message>
        <source>无音频设备</source>
        <translation>no audio device</translation>
    </message>
    <message>
        <source>提示音无法加载</source>
        <translation>the alarm tone did not load</translation>
    </message>
    <message>
        <source>点击关闭</source>
        <extracomment>An alarm takes the wall, or flies the map, only if the officer has not acted on it for this long (a preset recalled, cameras put up, a box drawn on the map): otherwise the toast offers 上墙 / 查看 and leaves his work be. 特急 (priority 1 and more urgent) takes the wall even from an officer at work — 恢复画面 gives it back and the status bar says what was replaced — but it does not fly a map in use (that cannot be undone). The officer&apos;s input on the map: his clicks, wheel and keys (the page moving by itself is not his work). Where the map&apos;s own controls sit (zoom, search, tools on the left; base maps and layers on the right), in the page&apos;s CSS pixels: the toast goes in the gap between them, or below them when the gap is too narrow. Space kept free for the map&apos;s controls until the page has said where they are (the usual desk&apos;s sizes). The narrowest toast placed in the gap between the controls; in a narrower gap it goes below them.</extracomment>
        <translation>Click to close</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>恢复画面</source>
        <translation>Restore Wall</translation>
    </message>
    <message>
        <source>把视频墙恢复到告警联动之前的画面（Ctrl+Shift+Z）</source>
        <translation>Restore the video wall to how it was before the alarm linkage (Ctrl+Shift+Z)</translation>
    </message>
    <message>
        <source>静音告警</source>
        <translation>Mute Alarm</translation>
    </message>
    <message>
        <source>告警联动（{level}）不响铃；画面照常切换</source>
        <translation>Alarm linkage ({level}) without sound; the wall and map still switch</translation>
    </message>
    <message>
        <source>视频墙和地图</source>
        <translation>video wall and map</translation>
    </message>
    <message>
        <source>视频墙</source>
        <translation>video wall</translation>
    </message>
    <message>
        <source>地图</source>
        <translation>map</translation>
    </message>
    <message>
        <source>您正在操作的{what}未切换，可点告警横幅上的「{action}」</source>
        <translation>the {what} you are working on was left as it is; press “{action}” on the alarm banner</translation>
    </message>
    <message>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <source>上墙并查看</source>
        <translation>Show on Wall and Map</translation>
    </message>
    <message>
        <source>上墙</source>
        <translation>Show on Wall</translation>
    </message>
    <message>
        <source>查看</source>
        <translation>Show on Map</translation>
    </message>
    <message>
        <source>视频墙已替换 {count} 个画面，恢复画面可还原</source>
        <translation>{count} wall tile(s) replaced, Restore Wall puts them back</translation>
    </message>
    <message>
        <source>轮巡已停止；</source>
        <translation>Tour stopped; </translation>
    </message>
    <message>
        <source>告警联动（{level}）：{title}，</source>
        <translation>Alarm linkage ({level}): {title}, </translation>
    </message>
</context>
<context>
    <name>CameraTree</name>
    <message>
        <source>枪机</source>
        <extracomment>Camera kinds as the duty officers say them.</extracomment>
        <translation>Bullet</translation>
    </message>
    <message>
        <source>球机</source>
        <translation>Dome</translation>
    </message>
    <message>
        <source>云台</source>
        <translation>PTZ</translation>
    </message>
    <message>
        <source>未划分镇街</source>
        <extracomment>Group for cameras the platform did not assign to a town.</extracomment>
        <translation>No town assigned</translation>
    </message>
    <message>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>状态未知（非实时）</source>
        <translation>Status unknown (not live)</translation>
    </message>
    <message>
        <source>{town} ({online}/{total} 在线)</source>
        <translation>{town} ({online}/{total} online)</translation>
    </message>
    <message>
        <source>编号：{id}</source>
        <translation>ID: {id}</translation>
    </message>
    <message>
        <source>镇街：{town}&#x3000;网格：{grid}</source>
        <translation>Town: {town}   Grid cell: {grid}</translation>
    </message>
    <message>
        <source>类型：{kind}&#x3000;状态：{status}</source>
        <translation>Type: {kind}   Status: {status}</translation>
    </message>
    <message>
        <source>搜索名称、编号、镇街、网格</source>
        <extracomment>Typing settles this long before the tree is filtered.</extracomment>
        <translation>Search name, ID, town, grid cell</translation>
    </message>
    <message>
        <source>没有符合条件的视频点位</source>
        <translation>No cameras match</translation>
    </message>
    <message>
        <source>在视频墙播放</source>
        <translation>Play on Video Wall</translation>
    </message>
    <message>
        <source>地图定位</source>
        <translation>Show on Map</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>正常</source>
        <translation>Normal</translation>
    </message>
    <message>
        <source>预警</source>
        <translation>Warning</translation>
    </message>
    <message>
        <source>报警</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <source>预警线</source>
        <translation>Warning level</translation>
    </message>
    <message>
        <source>报警线</source>
        <translation>Alarm level</translation>
    </message>
    <message>
        <source>事件列表与地图已筛选：{filter}</source>
        <extracomment>How often the feature looks whether the view can be seen (the figures are counted only while it can). An overview from the controller&apos;s worker thread, to the GUI thread.</extracomment>
        <translation>Incident list and map filtered: {filter}</translation>
    </message>
    <message>
        <source>今日事件</source>
        <extracomment>Tiles that filter the incidents when clicked (the others only show a figure).</extracomment>
        <translation>Incidents today</translation>
    </message>
    <message>
        <source>未办结</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>超期任务</source>
        <translation>Overdue tasks</translation>
    </message>
    <message>
        <source>视频在线</source>
        <translation>Cameras online</translation>
    </message>
    <message>
        <source>待命力量</source>
        <translation>Units available</translation>
    </message>
    <message>
        <source>传感器预警</source>
        <translation>Sensor warnings</translation>
    </message>
    <message>
        <source>镇街</source>
        <translation>Town</translation>
    </message>
    <message>
        <source>薛城区综合态势 · 一屏观全区</source>
        <extracomment>At this width or more the dashboard shows its charts side by side (a screen of its own).</extracomment>
        <translation>Xuecheng District Overview</translation>
    </message>
    <message>
        <source>等待平台数据…</source>
        <translation>Waiting for platform data…</translation>
    </message>
    <message>
        <source>显示全部事件</source>
        <translation>Show All Incidents</translation>
    </message>
    <message>
        <source>近24小时事件趋势（起/小时）</source>
        <translation>Incidents per hour, last 24 h</translation>
    </message>
    <message>
        <source>今日事件 · 类别（点击筛选）</source>
        <translation>Categories today (click filters)</translation>
    </message>
    <message>
        <source>今日事件 · 状态（点击筛选）</source>
        <translation>Statuses today (click filters)</translation>
    </message>
    <message>
        <source>镇街分布（点击筛选）</source>
        <translation>By town (click filters)</translation>
    </message>
    <message>
        <source>空气质量 AQI（各镇街监测站）</source>
        <translation>Air quality AQI (town stations)</translation>
    </message>
    <message>
        <source>河道/水库水位（m）</source>
        <translation>River/reservoir water level (m)</translation>
    </message>
    <message>
        <source>更新于 {time}</source>
        <translation>Updated {time}</translation>
    </message>
    <message>
        <source>{day} 0时起</source>
        <translation>since 00:00, {day}</translation>
    </message>
    <message>
        <source>特急/紧急 {count}</source>
        <translation>Critical/urgent {count}</translation>
    </message>
    <message>
        <source>超过办结时限（督办）</source>
        <translation>Past deadline (supervision)</translation>
    </message>
    <message>
        <source>在线率 {share}</source>
        <translation>{share} online</translation>
    </message>
    <message>
        <source>待命/全部</source>
        <translation>available/all</translation>
    </message>
    <message>
        <source>报警 {alarms} · 共 {count} 个</source>
        <translation>{alarms} alarms · {count} sensors</translation>
    </message>
    <message>
        <source>无读数</source>
        <translation>No readings</translation>
    </message>
    <message>
        <source>（报警线 {value}）</source>
        <translation> (alarm level {value})</translation>
    </message>
    <message>
        <source>（预警线 {value}）</source>
        <translation> (warning level {value})</translation>
    </message>
    <message>
        <source>，</source>
        <translation>, </translation>
    </message>
    <message>
        <source>超阈值：{readings}</source>
        <translation>Above threshold: {readings}</translation>
    </message>
    <message>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <source>筛选：{filter}</source>
        <translation>Filter: {filter}</translation>
    </message>
</context>
<context>
    <name>DateFormat</name>
    <message>
        <source>HH时</source>
        <translation>HH:00</translation>
    </message>
    <message>
        <source>M月d日</source>
        <extracomment>Each language by its own name, as a language menu shows it (the same whatever the window&apos;s language) What the map page&apos;s requests ask for (Accept-Language)</extracomment>
        <translation>MMM d</translation>
    </message>
    <message>
        <source>MM-dd HH:mm</source>
        <translation>MMM d, HH:mm</translation>
    </message>
    <message>
        <source>yyyy-MM-dd HH:mm:ss</source>
        <translation>MMM d, yyyy HH:mm:ss</translation>
    </message>
</context>
<context>
    <name>DispatchDialog</name>
    <message>
        <source>派遣任务</source>
        <extracomment>Longest deadline the dialog offers (minutes: a week). The dialog is never narrower than this (px). What the dialog needs beside the unit list: the form&apos;s captions, margins and the window frame (px). the units with an active task for this incident now (asked again at 派遣: another desk may have sent one while this dialog was open); by default those the choices say the question asked before sending a unit again (kept to be answered; None until asked)</extracomment>
        <translation>Dispatch Task</translation>
    </message>
    <message>
        <source>道路网未覆盖，按直线距离</source>
        <translation>Not covered by the road network: straight-line distance</translation>
    </message>
    <message>
        <source> 分钟内办结</source>
        <translation> min to complete</translation>
    </message>
    <message>
        <source>处置要求，例如：立即赶赴现场核实并反馈</source>
        <translation>Instructions, e.g.: go to the scene at once, verify and report back</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>处置单元</source>
        <translation>Units</translation>
    </message>
    <message>
        <source>责任部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>级别</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>办结时限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <source>处置要求</source>
        <translation>Instructions</translation>
    </message>
    <message>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <source>派遣（Ctrl+Enter）</source>
        <translation>Dispatch (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>已选 {count} 个处置单元：每个单元一项任务</source>
        <extracomment>said above the form when the units may not be current (the platform is not heard): the desk&apos;s text</extracomment>
        <translation>Units selected: {count}, one task each</translation>
    </message>
    <message>
        <source>未选处置单元：任务派至责任部门</source>
        <translation>No unit selected: the task goes to the department</translation>
    </message>
    <message>
        <source>{units} 已有本事件未办结的任务（可能由其他席位派出），仍要再派吗？</source>
        <translation>{units} already has an unfinished task for this incident (perhaps sent from another desk). Send another anyway?</translation>
    </message>
    <message>
        <source>重复派遣</source>
        <translation>Duplicate Dispatch</translation>
    </message>
    <message>
        <source>仍要派遣</source>
        <translation>Dispatch Anyway</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Go Back</translation>
    </message>
    <message>
        <source>未派遣：{units} 已派往本事件</source>
        <translation>Not dispatched: {units} already sent to this incident</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message>
        <source>{s}秒</source>
        <translation>{s}s</translation>
    </message>
    <message>
        <source>{m}分{s:02d}秒</source>
        <translation>{m}m{s:02d}s</translation>
    </message>
    <message>
        <source>{h}小时{m:02d}分</source>
        <translation>{h}h{m:02d}m</translation>
    </message>
</context>
<context>
    <name>IncidentCentre</name>
    <message>
        <source>{offline}（非实时，平台恢复后自动更新）</source>
        <extracomment>How often deadlines are checked (ms). task reports for the shown incident within this long are shown together 区域摄像机上墙 of an early warning: the cameras inside its area, for the wall. The user cleared the dashboard&apos;s filter on the panel (the map shows all again too). A timeline fetched on the controller&apos;s worker thread (incident id, entries or None, error), to the GUI. An attachment copied and queued, or refused (feedback, queued), from the attachment worker to the GUI. An attachment fetched (AttachmentRef, local path or None, error, open it), from the worker to the GUI. the dispatch worker ranked the units: (incident and choices, or None), unit to tick, instructions, the window to open the dialog over (None: the incident centre&apos;s) what to say of the data folder (cannot be written, nearly full), from the check&apos;s thread to the GUI the list and detail split as the officer left it at the last run (none kept without a data folder) Hands a fetched local copy to the system (the default application for its type); replaceable. 未送达的操作 (opened from the button above the list; one, kept while the window lives)</extracomment>
        <translation>{offline} (not live; updates automatically when the platform is back)</translation>
    </message>
    <message>
        <source>（另有 {count} 起新事件）</source>
        <translation> ({count} more new incidents)</translation>
    </message>
    <message>
        <source>督办：{count} 项任务超过办结时限</source>
        <translation>Supervision: {count} tasks past their deadline</translation>
    </message>
    <message>
        <source>合并重复事件</source>
        <translation>Merge Duplicate Incident</translation>
    </message>
    <message>
        <source>将所选事件作为重复事件合并到：</source>
        <translation>Merge the selected incident as a duplicate into:</translation>
    </message>
    <message>
        <source>正在按路网计算最近力量…</source>
        <translation>Finding the nearest units by road…</translation>
    </message>
</context>
<context>
    <name>IncidentDetail</name>
    <message>
        <source>在事件列表上方的「未送达的操作」中重试或忽略</source>
        <extracomment>the incident&apos;s own actions the platform refused or another desk overtook (未送达), until set aside</extracomment>
        <translation>Retry or dismiss them under “Undelivered actions” above the incident list</translation>
    </message>
    <message>
        <source>区域摄像机上墙</source>
        <translation>Area cameras to wall</translation>
    </message>
    <message>
        <source>把预警区域内的摄像机放到视频墙上</source>
        <translation>Put the cameras inside the warning area on the video wall</translation>
    </message>
    <message>
        <source>附件…</source>
        <translation>Attach…</translation>
    </message>
    <message>
        <source>双击打开附件；右键可另存为</source>
        <translation>Double-click to open an attachment; right-click to save it</translation>
    </message>
    <message>
        <source>附件（可拖放文件到此处）</source>
        <translation>Attachments (drop files here)</translation>
    </message>
    <message>
        <source>较早的 {count} 个附件未列出</source>
        <translation>{count} earlier attachments not listed</translation>
    </message>
    <message>
        <source>打开</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>另存为…</source>
        <translation>Save As…</translation>
    </message>
</context>
<context>
    <name>IncidentList</name>
    <message>
        <source>级别</source>
        <extracomment>Column titles (source text; shown translated)</extracomment>
        <translation>Priority</translation>
    </message>
    <message>
        <source>上报时间</source>
        <translation>Reported</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>镇街</source>
        <translation>Town</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>督办：有处置任务已超时</source>
        <extracomment>Background of incidents with an overdue task (督办). Background of incidents whose dispatch a unit refused, to be dispatched again. The roles ``IncidentTableModel.data`` answers besides DisplayRole. After a change of the rows shown, of the incidents listed or of the unseen ones: once per batch, filter change or reset, where ``rowsInserted`` and ``rowsRemoved`` come once per run of rows.</extracomment>
        <translation>Supervision: a task is overdue</translation>
    </message>
    <message>
        <source>任务被拒绝，需重新派遣</source>
        <translation>A task was refused: dispatch again</translation>
    </message>
</context>
<context>
    <name>IncidentPanel</name>
    <message>
        <source>编号</source>
        <extracomment>A description is shown up to this many characters (the platform cuts it at 4000). The description&apos;s box is as tall as its text, up to this (px; a longer one scrolls in it). At most this many files are taken from one drop (each is copied and queued). While batches of incidents keep coming, the list is repainted at most this often (ms): a batch inserted at the top moves every row on screen, and repainting a screenful (the model&apos;s cells, the text) was most of the GUI thread&apos;s time for the list in a burst. The rows are in the model at once. The incident title, the column that takes the width left (the others fit their contents). The widest a column fits its contents, in lines&apos; heights (a CJK character is a little narrower: about 22). The title is what the officer reads: it keeps this many lines&apos; heights beside the other columns, or a third of the list&apos;s width where that is less and the other columns cut to their least do not leave more beside the report time. In a list too narrow for every column&apos;s contents, the columns that give way to the title, round by round (widest first within a round): the town (镇街) and the category (类别), then the report time (上报时间). The level (级别) and the status (状态) never do: they stay whole and in sight. The narrowest a column that gives way becomes, in lines&apos; heights (a word or three characters and …). Colour of overdue tasks and of the 督办 line. Colour of the line saying a unit refused the incident&apos;s task. Colour of the lines saying which of the incident&apos;s actions still wait to be sent (待发送). Where a shown incident&apos;s town and grid cell came from (``IncidentsController.placement``); the feature sets it (without it the detail says they are the platform&apos;s). The shown incident&apos;s actions still in the outbox (``IncidentsController.pending_steps``): said under the steps, which wait while one of them does. The feature sets it (without it nothing waits).</extracomment>
        <translation>ID</translation>
    </message>
    <message>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>级别</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <source>上报时间</source>
        <translation>Reported</translation>
    </message>
    <message>
        <source>地图定位</source>
        <translation>Show on Map</translation>
    </message>
    <message>
        <source>派遣任务…</source>
        <translation>Dispatch…</translation>
    </message>
    <message>
        <source>超时上报</source>
        <translation>Escalate Overdue</translation>
    </message>
    <message>
        <source>备注（退回时为退回原因）</source>
        <translation>Note (the reason when returning)</translation>
    </message>
    <message>
        <source>添加备注</source>
        <translation>Add Note</translation>
    </message>
    <message>
        <source>处置任务</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <source>时间线</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <source>未选择事件</source>
        <translation>No incident selected</translation>
    </message>
    <message>
        <source>仅未办结</source>
        <extracomment>The list&apos;s share of the incident centre&apos;s height until the officer drags the handle between them: half, so that the detail shows its title, fields, note and workflow steps without scrolling in the dock under the wall of a 1080p console (about 560 px). In a shorter incident centre (a 768 or 720 px desk&apos;s) the list gets more than its share, up to this many rows, as long as the detail keeps DETAIL_MIN_EMS lines&apos; heights: its title, 地图定位 and 派遣任务…, the first fields. A split kept from an earlier run (``view.ini``) is given back with at least this much for each: the list its filters, header and this many rows, the detail this many lines&apos; heights (its title and first buttons). A stale or hand-edited share never hides either.</extracomment>
        <translation>Open only</translation>
    </message>
    <message>
        <source>全部类别</source>
        <translation>All categories</translation>
    </message>
    <message>
        <source>搜索事件、镇街、编号</source>
        <translation>Search incident, town, ID</translation>
    </message>
    <message>
        <source>点击显示全部事件</source>
        <translation>Click to show all incidents</translation>
    </message>
    <message>
        <source>平台拒绝或被他人抢先的操作：查看原因、重试或忽略</source>
        <extracomment>未送达的操作 N: this desk&apos;s actions the platform refused or another desk overtook (kept across restarts); hidden while there are none. The feature opens their list on a click.</extracomment>
        <translation>Actions the platform refused or another desk overtook: see why, retry or dismiss</translation>
    </message>
    <message>
        <source>该事件{status}，不在当前列表中；详情仍显示该事件</source>
        <translation>This incident is {status} and no longer in the list; the detail still shows it</translation>
    </message>
    <message>
        <source>未送达的操作 {count}</source>
        <translation>Undelivered actions {count}</translation>
    </message>
    <message>
        <source>筛选：{filter} ✕</source>
        <translation>Filter: {filter} ✕</translation>
    </message>
    <message>
        <source>{shown} / {total} 起</source>
        <translation>{shown} / {total} incidents</translation>
    </message>
    <message>
        <source>新 {count} · {text}</source>
        <translation>{count} new · {text}</translation>
    </message>
</context>
<context>
    <name>IncidentsFeature</name>
    <message>
        <source>选择附件</source>
        <translation>Choose Attachment</translation>
    </message>
    <message>
        <source>正在准备附件…</source>
        <translation>Preparing the attachment…</translation>
    </message>
    <message>
        <source>正在获取附件…</source>
        <translation>Fetching the attachment…</translation>
    </message>
    <message>
        <source>附件另存为</source>
        <translation>Save Attachment As</translation>
    </message>
    <message>
        <source>已打开附件 {name}</source>
        <translation>Opened attachment {name}</translation>
    </message>
    <message>
        <source>附件 {name} 已保存</source>
        <translation>Attachment {name} saved</translation>
    </message>
</context>
<context>
    <name>LayerTree</name>
    <message>
        <source>加载中…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>无法加载：{error}</source>
        <translation>Cannot load: {error}</translation>
    </message>
    <message>
        <source>{count} 个要素无效已跳过</source>
        <translation>{count} invalid features skipped</translation>
    </message>
    <message>
        <source>仅取前 {count} 个</source>
        <translation>first {count} only</translation>
    </message>
    <message>
        <source>每 {seconds} 秒刷新</source>
        <translation>refreshed every {seconds} s</translation>
    </message>
    <message>
        <source>连接超时（服务器未按时应答）</source>
        <extracomment>Sources read at once (network waits, not CPU: a slow server holds one of them): first reads, reads asked for by hand (刷新), and the retries of layers that never loaded. A layer has at most one read queued or under way, each ending within ``geo.sources.LAYER_DEADLINE_S``. Live layers&apos; periodic reads (``refresh_s``) have readers of their own: however many hung layers are being read (or re-read by hand) on the others, a live layer keeps its period. A periodic read still under way after this long is said in its row (正在刷新…); a quick one is not, so that a live layer&apos;s row does not flicker at every read. A layer whose JSON is longer than this reaches the page as its address (``cw://app/data/…``, fetched by the page), not as text through the web channel: the channel serialises what it sends on the GUI thread (a 31 MB layer of 6 000 polygons held it 270 ms), the scheme hands over shared bytes that the page reads in pieces.</extracomment>
        <translation>Timed out (the server did not answer in time)</translation>
    </message>
    <message>
        <source>无法连接服务器</source>
        <translation>Cannot connect to the server</translation>
    </message>
    <message>
        <source>服务要求登录（HTTP {status}）</source>
        <translation>The service asks for a login (HTTP {status})</translation>
    </message>
    <message>
        <source>无权访问（HTTP {status}）</source>
        <translation>Access denied (HTTP {status})</translation>
    </message>
    <message>
        <source>服务出错（HTTP {status}）</source>
        <translation>Server error (HTTP {status})</translation>
    </message>
    <message>
        <source>服务拒绝了请求（HTTP {status}）</source>
        <translation>The service refused the request (HTTP {status})</translation>
    </message>
    <message>
        <source>返回的不是 GeoJSON（不是有效的 JSON）</source>
        <translation>The answer is not GeoJSON (not valid JSON)</translation>
    </message>
    <message>
        <source>返回的不是 GeoJSON 要素集合</source>
        <translation>The answer is not a GeoJSON feature collection</translation>
    </message>
    <message>
        <source>返回的不是 GML 3.2 要素集合</source>
        <translation>The answer is not a GML 3.2 feature collection</translation>
    </message>
    <message>
        <source>返回的数据过大</source>
        <translation>The answer is too large</translation>
    </message>
    <message>
        <source>读取超时（{seconds} 秒内未读完）</source>
        <translation>Timed out (not read within {seconds} s)</translation>
    </message>
    <message>
        <source>无法读取图层文件</source>
        <translation>Cannot read the layer file</translation>
    </message>
    <message>
        <source>没有可用的要素</source>
        <translation>No usable features</translation>
    </message>
    <message>
        <source>坐标系不受支持</source>
        <translation>Coordinate system not supported</translation>
    </message>
    <message>
        <source>读取出错</source>
        <translation>Read failed</translation>
    </message>
    <message>
        <source>状态：{status}</source>
        <translation>Status: {status}</translation>
    </message>
    <message>
        <source>技术细节：{detail}</source>
        <translation>Technical detail: {detail}</translation>
    </message>
    <message>
        <source>正在刷新…</source>
        <translation>Refreshing…</translation>
    </message>
    <message>
        <source>当前无要素</source>
        <translation>No features now</translation>
    </message>
    <message>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <source>读取失败：{error}；地图显示 {time} 的数据</source>
        <translation>Read failed: {error}; the map shows the data of {time}</translation>
    </message>
    <message>
        <source>已连续失败 {count} 次，{time} 再试</source>
        <translation>failed {count} times in a row, next try at {time}</translation>
    </message>
    <message>
        <source>{count} 个要素坐标无效，已略去</source>
        <translation>{count} features with invalid coordinates left out</translation>
    </message>
    <message>
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>点</source>
        <extracomment>Legend rows of a layer with several geometry types: points, lines, polygons (面: areas).</extracomment>
        <translation>Points</translation>
    </message>
    <message>
        <source>线</source>
        <translation>Lines</translation>
    </message>
    <message>
        <source>面</source>
        <translation>Polygons</translation>
    </message>
    <message>
        <source>其他</source>
        <extracomment>Legend row of a category-styled layer&apos;s features in none of its categories (drawn in the base style).</extracomment>
        <translation>Other</translation>
    </message>
    <message>
        <source>自定义图层</source>
        <translation>Own layers</translation>
    </message>
    <message>
        <source>本地图层</source>
        <translation>Local layers</translation>
    </message>
    <message>
        <source>平台图层</source>
        <translation>Platform layers</translation>
    </message>
    <message>
        <source>图层</source>
        <extracomment>The layer rows the tree shows at least where its tab has the height (a 768 px desk&apos;s): the details under it shrink first. The details&apos; height where the tab has room (dragging the handle up gives them more).</extracomment>
        <translation>Layer</translation>
    </message>
    <message>
        <source>要素</source>
        <translation>Features</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>上移</source>
        <translation>Move Up</translation>
    </message>
    <message>
        <source>下移</source>
        <translation>Move Down</translation>
    </message>
    <message>
        <source>刷新</source>
        <translation>Reload</translation>
    </message>
    <message>
        <source>添加图层…</source>
        <translation>Add Layer…</translation>
    </message>
    <message>
        <source>透明度</source>
        <translation>Opacity</translation>
    </message>
    <message>
        <source>不自动刷新</source>
        <translation>No auto refresh</translation>
    </message>
    <message>
        <source> 秒</source>
        <translation> s</translation>
    </message>
    <message>
        <source>每隔多少秒重新读取该图层（0 为不自动刷新，最短 10 秒）</source>
        <translation>How often the layer is read again, in seconds (0: no auto refresh, at least 10 s)</translation>
    </message>
    <message>
        <source>选择图层查看来源、要素数、范围和无效要素</source>
        <translation>Select a layer to see its source, feature count, extent and invalid features</translation>
    </message>
    <message>
        <source>刷新间隔</source>
        <translation>Refresh every</translation>
    </message>
    <message>
        <source>本地图层目录，代替平台图层目录绘制</source>
        <translation>local layer folder, drawn instead of the platform&apos;s catalogue</translation>
    </message>
    <message>
        <source>图层目录不可用：{reason}</source>
        <translation>Layer catalogue unavailable: {reason}</translation>
    </message>
    <message>
        <source>由地图绘制，在地图右上角的图层控件中开关</source>
        <translation>Drawn by the map; switch it in the map&apos;s layer control (top right)</translation>
    </message>
    <message>
        <source>移除图层</source>
        <translation>Remove Layer</translation>
    </message>
    <message>
        <source>无法移除图层</source>
        <translation>Cannot remove the layer</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>登录 · 薛城区一体化综合指挥平台</source>
        <translation>Log In · Xuecheng District Integrated Command Platform</translation>
    </message>
    <message>
        <source>演练账号（单击填入）：</source>
        <translation>Exercise accounts (click to fill in):</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>记住密码（保存在系统密钥环）</source>
        <translation>Remember password (in the system keyring)</translation>
    </message>
    <message>
        <source>演练账号无需保存密码</source>
        <translation>Exercise accounts need no saved password</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Log In</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>正在登录…</source>
        <translation>Logging in…</translation>
    </message>
    <message>
        <source>演练模式（本机演练后台）</source>
        <translation>Exercise mode (local exercise backend)</translation>
    </message>
    <message>
        <source>平台：{url}</source>
        <translation>Platform: {url}</translation>
    </message>
    <message>
        <source>已注销。请登录。</source>
        <translation>Logged out. Please log in.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>薛城区一体化综合指挥平台</source>
        <extracomment>how long another thread may keep the interpreter lock while the GUI thread waits for it (Python&apos;s default is 5 ms). PySide gives the lock up around every Qt call, so each paint takes it back dozens of times; with the live feed, the dashboard&apos;s count and the video readers taking turns with it, every one of those waits could last a whole interval. In a 200 incidents/s burst (``bench_incidents``, four runs each, alternating) the GUI thread&apos;s stalls over 50 ms went from 17–26 to 9–11 in 30 s and publish-to-visible p95 from 115–137 to 103–111 ms; at 50/s no difference beyond the noise After the client has settled, the wait before a ``--when-ready`` capture: the map page paints its data a frame or more after it has it (a capture at once showed the static layers without the cameras and incidents).</extracomment>
        <translation>Xuecheng District Integrated Command Platform</translation>
    </message>
    <message>
        <source>数据目录无法使用：{folder}（{reason}）</source>
        <translation>The data folder cannot be used: {folder} ({reason})</translation>
    </message>
    <message>
        <source>数据目录无法使用：{folder}（锁文件 {lock} 不是普通文件，而是文件夹、命名管道或设备；请移走它后再启动）</source>
        <translation>The data folder cannot be used: {folder} (its lock file {lock} is not a regular file but a folder, a named pipe or a device; move it away, then start again)</translation>
    </message>
    <message>
        <source>数据目录无法写入：{folder}（没有权限或磁盘只读）</source>
        <translation>Nothing can be written in the data folder: {folder} (no rights, or a read-only disk)</translation>
    </message>
    <message>
        <source>commandwall 已在运行（进程 {pid}，{host}），数据目录 {folder}</source>
        <translation>commandwall is already running (process {pid}, {host}) with the data folder {folder}</translation>
    </message>
    <message>
        <source>演练模式</source>
        <extracomment>A dock layout saved with the map narrower than this share of the window is not what an officer chose (one saved while a long text had pushed the docks wide, say): restored, the docks get their default shares instead. Nor is one with the docked wall lower than this share of the window (a start that gave a wall without its own screen no room left it a strip of tiles 36 px high, and kept that for the next start).</extracomment>
        <translation>Exercise Mode</translation>
    </message>
    <message>
        <source>实战模式</source>
        <translation>Live Operations</translation>
    </message>
    <message>
        <source>薛城区一体化综合指挥平台 · {mode}</source>
        <extracomment>The wall dock&apos;s share of the height it shares with the incident centre in one window, at first (a desk&apos;s own layout, saved at the last run, wins): half. Less on a screen under SHORT_SCREEN_PX of height (the 768 and 720 px monitors of older desks): there half left the incident centre two rows of its list and the detail&apos;s buttons out of sight; the wall&apos;s tiles only get smaller.</extracomment>
        <translation>Xuecheng District Integrated Command Platform · {mode}</translation>
    </message>
    <message>
        <source>视频墙</source>
        <translation>Video Wall</translation>
    </message>
    <message>
        <source>事件中心</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <source>视频点位</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>图层</source>
        <translation>Layers</translation>
    </message>
    <message>
        <source>综合态势</source>
        <translation>Overview</translation>
    </message>
    <message>
        <source>屏幕方案无法使用，已按默认角色显示：{error}</source>
        <translation>The screen profile cannot be used; the default roles are shown: {error}</translation>
    </message>
    <message>
        <source>界面设置不会保存</source>
        <translation>View settings not kept</translation>
    </message>
    <message>
        <source>主工具栏</source>
        <translation>Main Toolbar</translation>
    </message>
    <message>
        <source>全屏</source>
        <translation>Full Screen</translation>
    </message>
    <message>
        <source>全屏显示（F11）</source>
        <translation>Full screen (F11)</translation>
    </message>
    <message>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <source>视频墙(&amp;V)</source>
        <translation>&amp;Video Wall</translation>
    </message>
    <message>
        <source>告警联动(&amp;A)</source>
        <translation>&amp;Alarm Linkage</translation>
    </message>
    <message>
        <source>设置(&amp;S)</source>
        <translation>&amp;Settings</translation>
    </message>
    <message>
        <source>屏幕设置(&amp;D)…</source>
        <translation>&amp;Screen Settings…</translation>
    </message>
    <message>
        <source>语言(&amp;L)</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>账户(&amp;U)</source>
        <translation>Acco&amp;unt</translation>
    </message>
    <message>
        <source>切换用户(&amp;W)…</source>
        <translation>S&amp;witch User…</translation>
    </message>
    <message>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>快捷键(&amp;K)…</source>
        <translation>&amp;Keyboard Shortcuts…</translation>
    </message>
    <message>
        <source>打开菜单栏</source>
        <translation>Open the menu bar</translation>
    </message>
    <message>
        <source>语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>注销</source>
        <translation>Log Out</translation>
    </message>
    <message>
        <source>没有预案 {number}：视频墙 → 预案 → 保存当前画面为预案…</source>
        <translation>No preset {number}: Video Wall → Presets → Save Wall as Preset…</translation>
    </message>
    <message>
        <source>无法保存语言设置：{error}</source>
        <translation>Cannot save the language setting: {error}</translation>
    </message>
    <message>
        <source>下次启动时界面语言为 {language}。</source>
        <translation>The window will be in {language} from the next start.</translation>
    </message>
    <message>
        <source>（当前由 --lang 或 COMMANDWALL_LANGUAGE 指定为 {language}，该设置优先。）</source>
        <translation> (--lang or COMMANDWALL_LANGUAGE sets {language} now, and takes precedence.)</translation>
    </message>
    <message>
        <source>地图</source>
        <translation>Map</translation>
    </message>
    <message>
        <source>告警联动</source>
        <translation>Alarm Linkage</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Login</translation>
    </message>
    <message>
        <source>{feature}未能启动（{error}）</source>
        <translation>{feature} could not start ({error})</translation>
    </message>
    <message>
        <source>{failed}；其余功能照常，详情见日志</source>
        <translation>{failed}; everything else works as usual, see the log for details</translation>
    </message>
    <message>
        <source>平台不可达</source>
        <translation>platform unreachable</translation>
    </message>
</context>
<context>
    <name>MapView</name>
    <message>
        <source>未连接事件中心</source>
        <translation>Not connected to the incident centre</translation>
    </message>
    <message>
        <source>无底图</source>
        <translation>No base map</translation>
    </message>
    <message>
        <source>暂不可用</source>
        <translation>Not available now</translation>
    </message>
    <message>
        <source>底图无法使用，地图不显示底图：{error}</source>
        <extracomment>Longest an incident change waits before it goes to the page with the others that came meanwhile. While changes keep coming (a burst), the page gets them at most this often: each update is a new frame of the web view, composited on the GUI thread (in software on a desk without a GPU). Longest the map page waits for the base maps (a capabilities document or an MBTiles file that blocks, a slow disk): then it comes up without them, and they are added when they come.</extracomment>
        <translation>The base maps cannot be used; the map is shown without one: {error}</translation>
    </message>
    <message>
        <source>底图已打开</source>
        <translation>Base maps opened</translation>
    </message>
    <message>
        <source>底图仍在打开（底图文件或服务响应缓慢），地图先不显示底图，打开后自动加上</source>
        <translation>Base maps are still being opened (slow file or service): the map is shown without a base map for now; they are added once open</translation>
    </message>
    <message>
        <source>底图「{title}」的注记无法加载（连续 {count} 张失败或超时）：正在自动重试</source>
        <translation>Labels of base map “{title}” cannot be loaded ({count} tiles failed or timed out in a row); retrying automatically</translation>
    </message>
    <message>
        <source>底图「{title}」的瓦片无法加载（连续 {count} 张失败或超时）：服务器不可用或地址有误，正在自动重试</source>
        <translation>Tiles of base map “{title}” cannot be loaded ({count} failed or timed out in a row): server unavailable or wrong address; retrying automatically</translation>
    </message>
    <message>
        <source>底图「{title}」已恢复</source>
        <translation>Base map “{title}” is back</translation>
    </message>
    <message>
        <source>底图「{title}」为百度 BD-09 瓦片（自有网格与坐标）：图层、标注均为 WGS84，在此底图上无法对齐，请换用其他底图</source>
        <translation>Base map “{title}” is Baidu BD-09 tiles (a grid and coordinates of their own): the layers and markers, in WGS84, cannot line up on it; choose another base map</translation>
    </message>
    <message>
        <source>底图「{title}」采用 {crs} 坐标（国内地图的加密偏移）：图层、标注均为 WGS84，在此底图上会偏移约 0.5 公里</source>
        <translation>Base map “{title}” is drawn in {crs} (the shifted coordinates of Chinese web maps): layers and markers are WGS84 and lie about 0.5 km off on it</translation>
    </message>
    <message>
        <source>已复制坐标：{point}</source>
        <translation>Coordinates copied: {point}</translation>
    </message>
    <message>
        <source>该资源没有编号，不能调派</source>
        <translation>This resource has no ID; it cannot be dispatched</translation>
    </message>
    <message>
        <source>该资源已不在地图上</source>
        <translation>This resource is no longer on the map</translation>
    </message>
</context>
<context>
    <name>MessageLog</name>
    <message>
        <source>本次运行中状态栏显示过的消息</source>
        <extracomment>Messages kept (the oldest go first).</extracomment>
        <translation>Messages the status bar has shown since the client started</translation>
    </message>
    <message>
        <source>消息记录</source>
        <translation>Message log</translation>
    </message>
    <message>
        <source>（暂无消息）</source>
        <translation>(no messages yet)</translation>
    </message>
    <message>
        <source>消息 {count}</source>
        <translation>Messages {count}</translation>
    </message>
</context>
<context>
    <name>PtzPad</name>
    <message>
        <source>上</source>
        <extracomment>An error from the platform stays on the pad this long.</extracomment>
        <translation>Up</translation>
    </message>
    <message>
        <source>左</source>
        <translation>Left</translation>
    </message>
    <message>
        <source>右</source>
        <translation>Right</translation>
    </message>
    <message>
        <source>下</source>
        <translation>Down</translation>
    </message>
    <message>
        <source>放大（变倍+）</source>
        <translation>Zoom in (zoom +)</translation>
    </message>
    <message>
        <source>缩小（变倍-）</source>
        <translation>Zoom out (zoom −)</translation>
    </message>
    <message>
        <source>未选择画面</source>
        <translation>No tile selected</translation>
    </message>
    <message>
        <source>{kind}，不支持云台控制</source>
        <translation>{kind}: no PTZ control</translation>
    </message>
    <message>
        <source>摄像机离线</source>
        <translation>Camera offline</translation>
    </message>
    <message>
        <source>停</source>
        <translation>■</translation>
    </message>
    <message>
        <source>停止</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>变倍</source>
        <translation>Zoom</translation>
    </message>
    <message>
        <source>速度 {speed}</source>
        <translation>Speed {speed}</translation>
    </message>
    <message>
        <source>云台控制</source>
        <translation>PTZ Control</translation>
    </message>
    <message>
        <source>单击视频墙上的画面进行云台控制</source>
        <translation>Click a tile on the video wall to control its PTZ camera</translation>
    </message>
</context>
<context>
    <name>ScreenSettings</name>
    <message>
        <source>屏幕设置</source>
        <translation>Screen Settings</translation>
    </message>
    <message>
        <source>方案：{profile}。每块屏幕显示一项；没有屏幕显示的内容停靠在主窗口中。</source>
        <translation>Profile: {profile}. Each screen shows one view; views without a screen stay docked in the main window.</translation>
    </message>
    <message>
        <source>屏幕 {number}（{name}，{width}×{height}）</source>
        <translation>Screen {number} ({name}, {width}×{height})</translation>
    </message>
</context>
<context>
    <name>ShortcutSheet</name>
    <message>
        <source>快捷键</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>菜单栏</source>
        <extracomment>Keys handled by widgets and the map page themselves (no QAction carries them): (where, keys, what).</extracomment>
        <translation>Menu bar</translation>
    </message>
    <message>
        <source>再按菜单名中带下划线的字母，打开该菜单</source>
        <translation>then the underlined letter of a menu: opens that menu</translation>
    </message>
    <message>
        <source>视频墙</source>
        <translation>Video Wall</translation>
    </message>
    <message>
        <source>调取前九个预案（视频墙 → 预案）</source>
        <translation>recall the first nine presets (Video Wall → Presets)</translation>
    </message>
    <message>
        <source>清除选中画面</source>
        <translation>clear the selected tile</translation>
    </message>
    <message>
        <source>最大化的画面还原到布局中</source>
        <translation>put a maximised tile back into the layout</translation>
    </message>
    <message>
        <source>云台</source>
        <translation>PTZ</translation>
    </message>
    <message>
        <source>按住转动，松开停止</source>
        <translation>hold to turn, release to stop</translation>
    </message>
    <message>
        <source>按住变倍，松开停止</source>
        <translation>hold to zoom, release to stop</translation>
    </message>
    <message>
        <source>视频点位</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <source>播放摄像机；展开或收起街镇</source>
        <translation>play the camera; open or close a town</translation>
    </message>
    <message>
        <source>地图</source>
        <translation>Map</translation>
    </message>
    <message>
        <source>取消框选或测量；清除已测结果</source>
        <translation>cancel a selection or measurement; clear a measured result</translation>
    </message>
    <message>
        <source>地图搜索框</source>
        <translation>Map search box</translation>
    </message>
    <message>
        <source>转到第一个结果</source>
        <translation>go to the first result</translation>
    </message>
    <message>
        <source>清空搜索</source>
        <translation>clear the search</translation>
    </message>
    <message>
        <source>地图图例</source>
        <translation>Map legend</translation>
    </message>
    <message>
        <source>收起或展开图例</source>
        <translation>fold or unfold the legend</translation>
    </message>
    <message>
        <source>派遣</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <source>派遣（处置要求中 Enter 换行）</source>
        <translation>send the dispatch (Enter in Instructions is a new line)</translation>
    </message>
    <message>
        <source>对话框</source>
        <translation>Dialogs</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>功能</source>
        <translation>Command</translation>
    </message>
    <message>
        <source>按键</source>
        <translation>Keys</translation>
    </message>
    <message>
        <source>{where}：{what}</source>
        <translation>{where}: {what}</translation>
    </message>
    <message>
        <source>窗格和地图中的按键</source>
        <translation>Keys in the panes and on the map</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>正在连接平台…</source>
        <translation>Connecting to the platform…</translation>
    </message>
    <message>
        <source>实时推送</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>轮询模式（推送中断）</source>
        <translation>Polling (live feed interrupted)</translation>
    </message>
    <message>
        <source>与平台断开</source>
        <translation>Disconnected from the platform</translation>
    </message>
    <message>
        <source>{offline}：平台无法连接，显示的是上次保存的事件、任务和处置力量，非实时</source>
        <extracomment>The states in which a platform not heard from past ``quiet_after_s`` reads 平台无响应: the stream is read, reopened or replaced by polling, and nothing has come back (OFFLINE has its own banner, it says more). A desk clock this far (seconds) from the platform&apos;s is said beside the clock (which shows the platform&apos;s time). the banner as shown now (its text, &quot;&quot; when hidden; its background colour): the other screens&apos; windows show it too, as an outage concerns every screen, not only the map&apos;s</extracomment>
        <translation>{offline}: the platform cannot be reached; showing the last saved incidents, tasks and units, not live</translation>
    </message>
    <message>
        <source>平台无响应（{seconds} 秒无数据）</source>
        <translation>Platform not answering (no data for {seconds} s)</translation>
    </message>
    <message>
        <source>平台 {seconds} 秒无任何数据（心跳超时）：连接可能已中断，画面可能停在 {time}</source>
        <translation>No data at all from the platform for {seconds} s (keepalives missed): the connection may be broken, and the picture may be as of {time}</translation>
    </message>
    <message>
        <source>平台未应答请求（{seconds} 秒无数据）：连接可能已中断，画面可能停在 {time}</source>
        <translation>The platform did not answer a request (no data for {seconds} s): the connection may be down, the picture may be stuck at {time}</translation>
    </message>
    <message>
        <source>超时任务 {tasks} 项 · 超时事件 {incidents} 起</source>
        <translation>Overdue tasks {tasks} · Overdue incidents {incidents}</translation>
    </message>
    <message>
        <source>{counts}（截至 {time}）</source>
        <translation>{counts} (as of {time})</translation>
    </message>
    <message>
        <source>实时推送中断，已改为轮询：事件约 {events} 秒、视频点位和处置力量约 {snapshot} 秒更新一次</source>
        <translation>Live feed interrupted, polling instead: incidents about every {events} s, cameras and units about every {snapshot} s</translation>
    </message>
    <message>
        <source>与平台的连接已中断，正在重连；画面显示 {time} 的最后状态</source>
        <translation>Connection to the platform lost, reconnecting; showing the last state as of {time}</translation>
    </message>
    <message>
        <source>无法连接平台：{message}</source>
        <translation>Cannot connect to the platform: {message}</translation>
    </message>
    <message>
        <source>未办结事件 {open} 起 · 视频在线 {online}/{cameras}</source>
        <translation>Open incidents {open} · Cameras online {online}/{cameras}</translation>
    </message>
    <message>
        <source>发件箱不可用：操作无法暂存</source>
        <translation>Outbox unavailable: actions cannot be queued</translation>
    </message>
    <message>
        <source>待发送操作 {count} 条</source>
        <translation>{count} actions waiting to be sent</translation>
    </message>
    <message>
        <source>（本机时钟慢{amount}，按平台时间）</source>
        <translation> (this desk&apos;s clock is {amount} slow; platform time shown)</translation>
    </message>
    <message>
        <source>（本机时钟快{amount}，按平台时间）</source>
        <translation> (this desk&apos;s clock is {amount} fast; platform time shown)</translation>
    </message>
    <message>
        <source>离线数据 截至 {time}</source>
        <translation>Offline data as of {time}</translation>
    </message>
</context>
<context>
    <name>UndeliveredDialog</name>
    <message>
        <source>未送达的操作</source>
        <extracomment>The list&apos;s columns.</extracomment>
        <translation>Undelivered actions</translation>
    </message>
    <message>
        <source>事件</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>内容</source>
        <translation>Content</translation>
    </message>
    <message>
        <source>没有未送达的操作</source>
        <translation>No undelivered actions</translation>
    </message>
    <message>
        <source>重试</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>忽略</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <source>已知悉，不再列出（记录保留在本机）</source>
        <translation>Seen: no longer listed (the record stays on this desk)</translation>
    </message>
    <message>
        <source>重新派遣…</source>
        <translation>Dispatch again…</translation>
    </message>
    <message>
        <source>按原派遣说明打开派遣对话框；派遣后可将原操作忽略</source>
        <translation>Open the dispatch dialog with the original instructions; dismiss the refused one afterwards</translation>
    </message>
    <message>
        <source>复制内容</source>
        <translation>Copy content</translation>
    </message>
    <message>
        <source>已忽略：{what}</source>
        <translation>Dismissed: {what}</translation>
    </message>
    <message>
        <source>已复制到剪贴板</source>
        <translation>Copied to the clipboard</translation>
    </message>
</context>
<context>
    <name>VideoWall</name>
    <message>
        <source>视频墙</source>
        <translation>Video Wall</translation>
    </message>
    <message>
        <source>画面布局</source>
        <translation>Layout</translation>
    </message>
    <message>
        <source>视频墙 {layout}（{shortcut}）</source>
        <translation>Video wall {layout} ({shortcut})</translation>
    </message>
    <message>
        <source>更多布局</source>
        <translation>More Layouts</translation>
    </message>
    <message>
        <source>25、36 画面和大小画面布局（1+5、1+7、2+8、1+12）</source>
        <translation>25 and 36 tiles, and layouts with big tiles (1+5, 1+7, 2+8, 1+12)</translation>
    </message>
    <message>
        <source>周边视频</source>
        <translation>Nearby Cameras</translation>
    </message>
    <message>
        <source>把选中事件周边的摄像机调上视频墙</source>
        <translation>Put the cameras around the selected incident on the video wall</translation>
    </message>
    <message>
        <source>轮巡</source>
        <translation>Tour</translation>
    </message>
    <message>
        <source>按页轮巡选中摄像机所在街镇的视频；未选摄像机时轮巡选中事件周边的视频</source>
        <translation>Tour the cameras of the selected camera&apos;s town page by page; with no camera selected, those around the selected incident</translation>
    </message>
    <message>
        <source>抓拍</source>
        <translation>Snapshot</translation>
    </message>
    <message>
        <source>把选中画面的当前图像存为图片（Ctrl+Shift+S）</source>
        <translation>Save the selected tile&apos;s current picture as an image (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>轮巡已停止</source>
        <translation>Tour stopped</translation>
    </message>
    <message>
        <source>抓拍目录不可用：{folder}（{error}）</source>
        <translation>Snapshot folder not usable: {folder} ({error})</translation>
    </message>
    <message>
        <source>抓拍图片无法编码为 PNG</source>
        <translation>Snapshot could not be encoded as PNG</translation>
    </message>
    <message>
        <source>同一秒内该画面的抓拍过多，未保存：{name}</source>
        <translation>Too many snapshots of this view in one second, not saved: {name}</translation>
    </message>
    <message>
        <source>抓拍文件的名称或路径过长，未保存：{path}</source>
        <translation>Snapshot file name or path too long, not saved: {path}</translation>
    </message>
    <message>
        <source>磁盘空间不足，抓拍未保存：{folder}</source>
        <translation>Disk full, snapshot not saved: {folder}</translation>
    </message>
    <message>
        <source>抓拍图片无法写入：{folder}（{error}）</source>
        <translation>Snapshot could not be written: {folder} ({error})</translation>
    </message>
    <message>
        <source>已抓拍：{path}</source>
        <translation>Snapshot saved: {path}</translation>
    </message>
    <message>
        <source>拖放的摄像机不在本平台的点位中</source>
        <extracomment>a tile whose pictures the decoder puts into its window (直显) is refreshed (badge, fps, staleness) at every this many ticks of the wall&apos;s timer (5: five times a second at 25 Hz), spread over the ticks by tile a resized tile re-chooses main/sub once its size has been steady this long the walls sharing ``pool`` (this one included): stream choice looks at all their tiles camera id → Camera (the feature sets the store&apos;s lookup): what dropped camera ids mean where 抓拍 writes (the feature sets the data folder&apos;s snapshots/); None: no snapshots graceful overload (降帧): measured on every refresh tick, decided once a second</extracomment>
        <translation>The dropped camera is not one of this platform&apos;s cameras</translation>
    </message>
    <message>
        <source>清除画面</source>
        <translation>Clear Tile</translation>
    </message>
    <message>
        <source>还原布局</source>
        <translation>Restore Layout</translation>
    </message>
    <message>
        <source>最大化</source>
        <translation>Maximize</translation>
    </message>
    <message>
        <source>码流信息</source>
        <translation>Stream Info</translation>
    </message>
    <message>
        <source>还原缩放</source>
        <translation>Reset Zoom</translation>
    </message>
    <message>
        <source>请先选中要抓拍的画面</source>
        <translation>Select the tile to snapshot first</translation>
    </message>
    <message>
        <source>该画面暂无图像，无法抓拍</source>
        <translation>This tile has no picture yet: no snapshot</translation>
    </message>
</context>
<context>
    <name>WaitingElsewhere</name>
    <message>
        <source>其他用户（或其他平台地址）尚未送达的操作：需以该用户登录发送</source>
        <translation>Actions of other users (or of another platform address) not yet delivered: that user must log in to send them</translation>
    </message>
    <message>
        <source>他人待发送 {count} 条</source>
        <translation>Others&apos; pending: {count}</translation>
    </message>
    <message>
        <source>（{files} 个文件无法读取）</source>
        <translation> ({files} file(s) unreadable)</translation>
    </message>
    <message>
        <source>其他用户待发送的操作</source>
        <translation>Other users&apos; pending actions</translation>
    </message>
    <message>
        <source>这些操作保存在本机，只会以各自用户的身份发送：该用户登录（对应平台）后自动发出。</source>
        <translation>These actions are kept on this desk and are sent only as their own user: they go automatically once that user logs in (to that platform).</translation>
    </message>
    <message>
        <source>（没有其他用户待发送的操作）</source>
        <translation>(no other user&apos;s actions are pending)</translation>
    </message>
</context>
<context>
    <name>WallFeature</name>
    <message>
        <source>视频墙 {number}：布局、轮巡、抓拍等命令作用于此墙</source>
        <extracomment>What the wall follows for 轮巡: the selected camera id and the selected incident id (either may be None).</extracomment>
        <translation>Wall {number}: layout, tour, snapshot and the other commands act on this wall</translation>
    </message>
    <message>
        <source>视频墙 {number}：{text}</source>
        <translation>Wall {number}: {text}</translation>
    </message>
</context>
<context>
    <name>WallPresets</name>
    <message>
        <source>预案</source>
        <extracomment>presets 1…9 in menu order have shortcuts Alt+1…Alt+9 (Ctrl+1…4 choose the layout) presets the menu lists at most (a line says how many more there are): a menu of thousands is no use and takes seconds to build</extracomment>
        <translation>Presets</translation>
    </message>
    <message>
        <source>预案 {number}</source>
        <translation>Preset {number}</translation>
    </message>
    <message>
        <source>保存当前画面为预案…</source>
        <translation>Save Wall as Preset…</translation>
    </message>
    <message>
        <source>调取或保存视频墙预案（Alt+1…9 调取前九个）</source>
        <translation>Recall or save video wall presets (Alt+1…9 recall the first nine)</translation>
    </message>
    <message>
        <source>没有名为「{name}」的预案</source>
        <translation>No preset named “{name}”</translation>
    </message>
    <message>
        <source>预案保存失败：{error}</source>
        <translation>Preset not saved: {error}</translation>
    </message>
    <message>
        <source>已保存预案「{name}」</source>
        <translation>Preset “{name}” saved</translation>
    </message>
    <message>
        <source>预案名称（最多 {count} 字）：</source>
        <translation>Preset name (at most {count} characters):</translation>
    </message>
    <message>
        <source>保存预案</source>
        <translation>Save Preset</translation>
    </message>
    <message>
        <source>另有 {count} 个预案未列出（最多列出 {most} 个）</source>
        <translation>{count} more presets not listed (at most {most} are listed)</translation>
    </message>
    <message>
        <source>（暂无预案）</source>
        <translation>(no presets yet)</translation>
    </message>
</context>
<context>
    <name>WallTile</name>
    <message>
        <source>空闲</source>
        <extracomment>a tile whose window the decoder could not put pictures into (a window made slowly, a transient failure) is painted by Qt, and asked for 直显 again after this many seconds seconds the GUI thread spent painting this tile, a running total (the overload policy&apos;s video share) badge text and level, fps, 降帧 by frame rate, and a slow sender&apos;s speed (None: not slow)</extracomment>
        <translation>Idle</translation>
    </message>
    <message>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>已停止</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <source>直播</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>画面停滞 {age}</source>
        <translation>Frozen {age}</translation>
    </message>
    <message>
        <source>重连中</source>
        <translation>Reconnecting</translation>
    </message>
    <message>
        <source>{seconds}秒后重连</source>
        <translation>Reconnect in {seconds}s</translation>
    </message>
    <message>
        <source> · 画面停在{age}前</source>
        <translation> · picture {age} old</translation>
    </message>
    <message>
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <source>视频流无法连接</source>
        <translation>Cannot reach the video stream</translation>
    </message>
    <message>
        <source>视频流鉴权失败（账号或密码不对，或无权访问）</source>
        <translation>Video stream refused the credentials (wrong user or password, or no access)</translation>
    </message>
    <message>
        <source>视频流地址不存在（404）</source>
        <translation>No video stream at this address (404)</translation>
    </message>
    <message>
        <source>视频服务器拒绝了请求</source>
        <translation>The video server refused the request</translation>
    </message>
    <message>
        <source>视频服务器出错（5xx）</source>
        <translation>The video server failed (5xx)</translation>
    </message>
    <message>
        <source>视频服务器拒绝连接（地址或端口无服务）</source>
        <translation>The video server refused the connection (nothing listens there)</translation>
    </message>
    <message>
        <source>视频服务器无法访问</source>
        <translation>The video server cannot be reached</translation>
    </message>
    <message>
        <source>视频服务器无响应（超时）</source>
        <translation>The video server does not answer (timed out)</translation>
    </message>
    <message>
        <source>连接被视频服务器或网络中断</source>
        <translation>The connection was cut by the video server or the network</translation>
    </message>
    <message>
        <source>视频数据无法解码</source>
        <translation>The video data cannot be decoded</translation>
    </message>
    <message>
        <source>画面过大，超出解码上限</source>
        <translation>The picture is larger than the client decodes</translation>
    </message>
    <message>
        <source>该码流没有视频（只有音频或数据）</source>
        <translation>This stream has no video (audio or data only)</translation>
    </message>
    <message>
        <source>视频流中断</source>
        <translation>The video stream broke off</translation>
    </message>
    <message>
        <source>（像素宽高比 {sar}，显示为 {width}×{height}）</source>
        <translation> (pixel aspect {sar}, shown as {width}×{height})</translation>
    </message>
    <message>
        <source>主码流</source>
        <extracomment>the box the picture should arrive at changed (resize, zoom, new stream): the wall re-targets readers the bottom-right captions (fps changes), each with its width in logical pixels the picture&apos;s geometry for the last (frame size, ratio, tile size): see :func:`picture_geometry` 直显 (see :mod:`commandwall.ui.wall.direct`): the native window the decoder puts the pictures into, the name bar and fps caption above it (made the first time), and the target the reader was given the surface&apos;s window the decoder could not put pictures into, and when</extracomment>
        <translation>main stream</translation>
    </message>
    <message>
        <source>子码流</source>
        <translation>sub stream</translation>
    </message>
    <message>
        <source>{fps} fps · {rate} · 解码 {frames} 帧 · 丢帧 {dropped}</source>
        <translation>{fps} fps · {rate} · {frames} frames decoded · {dropped} dropped</translation>
    </message>
    <message>
        <source>接收到显示 {receive} · 解码到显示 {decode}</source>
        <translation>receive to display {receive} · decode to display {decode}</translation>
    </message>
    <message>
        <source>重连 {count} 次</source>
        <translation>{count} reconnects</translation>
    </message>
    <message>
        <source>摄像机时钟比本机快 {amount}（摄像机到显示不计）</source>
        <translation>Camera clock {amount} ahead of this desk (camera to display not counted)</translation>
    </message>
    <message>
        <source>摄像机时钟比本机慢 {amount}（摄像机到显示不计）</source>
        <translation>Camera clock {amount} behind this desk (camera to display not counted)</translation>
    </message>
    <message>
        <source>摄像机到显示 {camera}（按摄像机 RTCP 时钟）</source>
        <translation>camera to display {camera} (by the camera&apos;s RTCP clock)</translation>
    </message>
    <message>
        <source>来流速度 ×{speed}（慢于实时，画面延迟）</source>
        <translation>Stream speed ×{speed} (slower than real time, pictures delayed)</translation>
    </message>
    <message>
        <source>解码落后直播 {behind} · 追帧 {count} 次</source>
        <translation>decoding behind live {behind} · skipped to catch up {count} times</translation>
    </message>
    <message>
        <source>上次失败：{failure}</source>
        <translation>Last failure: {failure}</translation>
    </message>
    <message>
        <source>{fps} fps · {kind} · 画面延迟（来流仅实时的 ×{speed}）</source>
        <translation>{fps} fps · {kind} · delayed (stream at ×{speed} of real time)</translation>
    </message>
    <message>
        <source>降帧 · 限帧率 {fps} fps · {kind}</source>
        <translation>Reduced · frame rate lowered {fps} fps · {kind}</translation>
    </message>
    <message>
        <source>降帧 · 仅关键帧 {fps} fps · {kind}</source>
        <translation>Reduced · key frames only {fps} fps · {kind}</translation>
    </message>
    <message>
        <source>{fps} fps · {kind}（负载保护）</source>
        <translation>{fps} fps · {kind} (load protection)</translation>
    </message>
    <message>
        <source>电子放大 ×{zoom}</source>
        <translation>Digital zoom ×{zoom}</translation>
    </message>
    <message>
        <source>窗口 {number}</source>
        <translation>Tile {number}</translation>
    </message>
    <message>
        <source>摄像机离线</source>
        <translation>Camera offline</translation>
    </message>
    <message>
        <source>{failure}，正在重试…</source>
        <translation>{failure}; retrying…</translation>
    </message>
    <message>
        <source>正在连接…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>RTSP 传输</source>
        <translation>RTSP Transport</translation>
    </message>
    <message>
        <source>{name} 已改用 RTSP/{transport}，但设置无法保存：{error}</source>
        <translation>{name} now uses RTSP/{transport}, but the setting could not be saved: {error}</translation>
    </message>
    <message>
        <source>{name} 已改用 RTSP/{transport}，正在重新连接</source>
        <translation>{name} now uses RTSP/{transport}, reconnecting</translation>
    </message>
    <message>
        <source>{name} 以后使用 RTSP/{transport}</source>
        <translation>{name} will use RTSP/{transport} from now on</translation>
    </message>
</context>
<context>
    <name>cli</name>
    <message>
        <source>演练数据库文件无法使用，已另存为 {name}，已开始新的演练</source>
        <translation>The exercise database could not be used: kept as {name}; a new exercise was started</translation>
    </message>
    <message>
        <source>{variable} 或 {option}</source>
        <translation>{variable} or {option}</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>客户端无法启动，设置无效：

{problems}

请改正以上环境变量或启动参数后重新启动。</source>
        <translation>The client cannot start: invalid settings:

{problems}

Correct these environment variables or options, then start it again.</translation>
    </message>
</context>
</TS>
