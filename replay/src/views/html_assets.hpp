#pragma once
// The fixed parts of the HTML space-time diagram (html.cpp): style sheet,
// SVG definitions, legend and script. Kept apart so html.cpp holds only the
// layout; none of this text depends on the run, so nothing here needs
// escaping.

#include <string_view>

namespace raftsim::replay::html_assets {

// Colours: roles are pale bands so the arrows on top stay readable; each
// message type has its own hue, its response a lighter tint of it; red is
// kept for drops and the violation.
inline constexpr std::string_view style = R"css(
    * { box-sizing: border-box; }
    body { margin: 0; font: 13px/1.35 "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
           color: #1f2933; background: #fff; }
    header { padding: 8px 14px 4px; border-bottom: 1px solid #d9dee5; background: #f6f8fa; }
    h1 { margin: 0 0 2px; font-size: 18px; }
    code { font: 12px "DejaVu Sans Mono", "Liberation Mono", monospace; background: #eef1f4;
           padding: 0 3px; border-radius: 3px; }
    .meta span { margin-right: 18px; white-space: nowrap; }
    .verdict { margin: 6px 14px; padding: 6px 10px; border-radius: 4px; }
    .verdict.bad { border: 2px solid #c81e1e; background: #fdecec; }
    .verdict.good { border: 1px solid #7bb57b; background: #eef8ee; }
    .verdict b { color: #c81e1e; letter-spacing: .04em; }
    .detail { margin-top: 2px; font: 12px "DejaVu Sans Mono", monospace; white-space: pre-wrap; }
    .legend { margin: 2px 14px 4px; font-size: 12px; color: #3e4c59; }
    .legend span { display: inline-block; margin-right: 12px; white-space: nowrap; }
    .legend svg { vertical-align: middle; margin-right: 3px; }
    .diagram { display: flex; align-items: flex-start; border-top: 1px solid #d9dee5; }
    .scroll { overflow-x: auto; flex: 1 1 auto; }
    svg text { font: 11px "DejaVu Sans", Arial, sans-serif; fill: #26323d; }
    svg .mono { font: 10.5px "DejaVu Sans Mono", monospace; }
    .labels { flex: 0 0 auto; background: #f6f8fa; border-right: 1px solid #d9dee5; }
    .labels .name { font-size: 13px; font-weight: bold; }
    .labels .bad { fill: #c81e1e; }
    .labels .caption { fill: #6b7785; font-style: italic; }
    .lane0 { fill: #fbfcfd; } .lane1 { fill: #f3f5f8; }
    .axis { stroke: #8a96a3; } .grid { stroke: #dde3ea; stroke-dasharray: 2 4; }
    .tick { fill: #44515e; } .tick.exact { fill: #8a96a3; font-style: italic; }
    .b { stroke: #fff; stroke-width: 1; }
    .b-follower { fill: #e7edf4; } .b-pre_candidate { fill: #fbefb8; }
    .b-candidate { fill: #fbd3a0; } .b-leader { fill: #b9e4b4; } .b-down { fill: url(#down); }
    .bl { fill: #4b5967; font-size: 10.5px; } .bl.down { fill: #fff; font-weight: bold; }
    .spine { stroke: #b3bdc8; stroke-width: 1; }
    .m { stroke-width: 1.3; fill: none; }
    .m:hover, .dr:hover line { stroke-width: 3; }
    .hb { stroke-width: .8; opacity: .75; }
    .dup { stroke-dasharray: 1 3; }
    .rp { stroke-dasharray: 8 3 1 3; }
    .fly { stroke: #8a96a3; stroke-dasharray: 2 3; marker-end: none; }
    .dr line { stroke: #dc2626; stroke-width: 1.3; stroke-dasharray: 4 3; }
    .dr path, .crash path { stroke: #dc2626; stroke-width: 2; fill: none; }
    .crash path { stroke: #111; stroke-width: 3; }
    .k text { font-size: 10px; font-weight: bold; }
    .crash text { fill: #111; } .restart text { fill: #17803d; }
    .restart circle { fill: #fff; stroke: #17803d; stroke-width: 2.5; }
    .drift rect { fill: #0e7490; } .drift text { fill: #0e7490; }
    .reject path { fill: #ea580c; }
    .info path, .info circle { fill: #7c3aed; } .info text { fill: #7c3aed; }
    .propose path { stroke: #2563eb; stroke-width: 1.5; }
    .apply path { stroke: #15803d; stroke-width: 1.5; }
    .role path { stroke: #4b5967; stroke-width: 1.5; }
    .flag line { stroke-width: 1.5; } .flag text { font-weight: bold; }
    .f-part line { stroke: #b45309; } .f-part text, .f-part rect { fill: #b45309; }
    .f-heal line { stroke: #15803d; } .f-heal text { fill: #15803d; }
    .f-cut line { stroke: #b45309; stroke-dasharray: 6 3; } .f-cut text { fill: #b45309; }
    .f-restore line { stroke: #15803d; stroke-dasharray: 6 3; } .f-restore text { fill: #15803d; }
    .f-cut .link, .f-restore .link { stroke-width: 5; stroke-dasharray: none; opacity: .6; }
    .f-net line { stroke: #0e7490; } .f-net text { fill: #0e7490; }
    .f-slow line { stroke: #7c3aed; } .f-slow text { fill: #7c3aed; }
    .f-step line { stroke: #9aa5b1; stroke-width: 1; stroke-dasharray: 1 3; }
    .f-step text { fill: #7b8794; font-weight: normal; }
    .vio line { stroke: #dc2626; stroke-width: 2.5; } .vio .glow { stroke-width: 10; opacity: .15; }
    .vio rect { fill: #dc2626; } .vio text { fill: #fff; font-weight: bold; font-size: 12px; }
    .vio circle { fill: none; stroke: #dc2626; stroke-width: 3; }
    section.clients { border-top: 2px solid #d9dee5; margin-top: 8px; }
    section.clients h2 { margin: 6px 14px 2px; font-size: 15px; }
    .hist { margin: 4px 14px; padding: 5px 10px; border-radius: 4px; }
    .hist.good { border: 1px solid #7bb57b; background: #eef8ee; }
    .hist.bad { border: 2px solid #c81e1e; background: #fdecec; } .hist.bad b { color: #c81e1e; }
    .hist.unknown { border: 2px solid #b7791f; background: #fdf6e3; }
    .hist.unknown b { color: #975a16; }
    .hist.none { border: 1px solid #d9dee5; background: #f6f8fa; }
    .shown { margin: 2px 14px 4px; font-size: 12px; color: #3e4c59; }
    .op rect { stroke-width: 1; } .op:hover rect { stroke-width: 3; }
    .op.ok rect { fill: #dbeafe; stroke: #2563eb; }
    .op.ind rect { fill: #fef3c7; stroke: #b45309; stroke-dasharray: 3 2; }
    .op .tail { fill: none; stroke: #b45309; stroke-dasharray: 2 3; opacity: .75; }
    .op.ok.rd-index rect { fill: #e9d5ff; } .op.ok.rd-lease rect { fill: #bbf7d0; }
    .op.key rect { stroke-width: 2; stroke: #1e3a8a; } .op.key.ind rect { stroke: #92400e; }
    .op.win rect { stroke: #dc2626; stroke-width: 3; } .op.win.ok rect { fill: #fee2e2; }
    .op.win .tail { stroke: #dc2626; opacity: 1; }
    svg .op text { font: 10px "DejaVu Sans Mono", monospace; fill: #1f2933; }
    svg .op.win text { font-weight: bold; fill: #991b1b; paint-order: stroke; stroke: #fff;
                       stroke-width: 3px; }
    #info { position: sticky; bottom: 0; margin: 0; padding: 4px 14px; min-height: 24px;
            background: #1f2933; color: #e4e7eb; font: 12px "DejaVu Sans Mono", monospace;
            white-space: pre-wrap; }
)css";

// The hatching of a crashed node's band. The arrow heads are made in
// html.cpp from the same colour table as the arrows.
inline constexpr std::string_view down_pattern =
    R"svg(<pattern id="down" width="8" height="8" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="8" height="8" fill="#4b4f54"/>
<rect width="3" height="8" fill="#6b7075"/></pattern>)svg";

// A swatch per band colour, arrow kind and marker, drawn with the chart's
// own classes so the legend cannot drift from the drawing.
inline constexpr std::string_view legend = R"html(<div class="legend">
<span><svg width="22" height="12"><rect class="b b-follower" width="22" height="12"/></svg
>follower</span>
<span><svg width="22" height="12"><rect class="b b-pre_candidate" width="22" height="12"/></svg
>pre-candidate</span>
<span><svg width="22" height="12"><rect class="b b-candidate" width="22" height="12"/></svg
>candidate</span>
<span><svg width="22" height="12"><rect class="b b-leader" width="22" height="12"/></svg
>leader</span>
<span><svg width="22" height="12"><rect class="b b-down" width="22" height="12"/></svg
>DOWN (crashed)</span>
<span><svg width="30" height="12"><line class="m m0" x1="1" y1="6" x2="29" y2="6"/></svg
>AppendEntries (thin: heartbeat)</span>
<span><svg width="30" height="12"><line class="m m2" x1="1" y1="6" x2="29" y2="6"/></svg
>RequestVote</span>
<span><svg width="30" height="12"><line class="m m4" x1="1" y1="6" x2="29" y2="6"/></svg
>PreVote</span>
<span><svg width="30" height="12"><line class="m m6" x1="1" y1="6" x2="29" y2="6"/></svg
>TimeoutNow</span>
<span><svg width="30" height="12"><line class="m m7" x1="1" y1="6" x2="29" y2="6"/></svg
>InstallSnapshot</span>
<span>(lighter colour: the response)</span>
<span><svg width="30" height="12"><g class="dr"><line x1="1" y1="6" x2="24" y2="6"/>
<path d="M21,3L27,9M21,9L27,3"/></g></svg>dropped</span>
<span><svg width="30" height="12"><line class="m m0 dup" x1="1" y1="6" x2="29" y2="6"/></svg
>duplicate</span>
<span><svg width="30" height="12"><line class="m m0 rp" x1="1" y1="6" x2="29" y2="6"/></svg
>stale replay</span>
<span><svg width="16" height="12"><g class="k crash"><path d="M3,1L13,11M3,11L13,1"/></g></svg
>crash</span>
<span><svg width="16" height="12"><g class="k restart"><circle cx="8" cy="6" r="4"/></g></svg
>restart</span>
<span><svg width="16" height="12"><g class="k reject"><path d="M8,1L13,11L3,11z"/></g></svg
>refused</span>
<span><svg width="16" height="14"><g class="k propose"><path d="M5,2V12"/></g>
<g class="k apply"><path d="M11,2V12"/></g></svg>propose / apply</span>
<span><svg width="16" height="12"><rect x="1" y="1" width="14" height="10" fill="#dc2626"/></svg
>violation</span>
</div>)html";

// The client lanes' legend (clients.cpp), drawn with their own classes;
// the window's items only when there is a window.
inline constexpr std::string_view client_legend = R"html(<div class="legend">
<span><svg width="30" height="14"><g class="op ok"><rect x="1" y="1" width="28" height="12"
 rx="3"/></g></svg>an operation, from its invocation to its answer</span>
<span><svg width="46" height="18"><g class="op ind"><rect x="1" y="1" width="20" height="12"
 rx="3"/><path class="tail" d="M21,15H44m-5,-3l5,3l-5,3"/></g></svg>indeterminate: no answer
 (until the client gave up); it may take effect later, or never</span>)html";
inline constexpr std::string_view client_read_legend = R"html(
<span><svg width="30" height="14"><g class="op ok rd-index"><rect x="1" y="1" width="28"
 height="12" rx="3"/></g></svg>a get by ReadIndex</span>
<span><svg width="30" height="14"><g class="op ok rd-lease"><rect x="1" y="1" width="28"
 height="12" rx="3"/></g></svg>a get by the leader's lease</span>)html";
inline constexpr std::string_view client_window_legend = R"html(
<span><svg width="30" height="14"><g class="op ok key"><rect x="1" y="1" width="28" height="12"
 rx="3"/></g></svg>on the violating key</span>
<span><svg width="30" height="14"><g class="op ok win"><rect x="2" y="2" width="26" height="10"
 rx="3"/></g></svg>in the violating window</span>)html";

// Runs once the page has loaded: scrolls each wide chart to its focus (the
// violation, the violating window), shows the hovered element's tooltip (a
// trace record, an operation) in the status line (SVG tooltips are slow to
// appear), and marks the body so tests can tell it ran.
inline constexpr std::string_view script = R"js(
    (function () {
        var info = document.getElementById('info');
        var scrolls = document.querySelectorAll('.scroll');
        for (var i = 0; i < scrolls.length; i++) {
            var svg = scrolls[i].querySelector('svg[data-focus-x]');
            var focus = svg ? Number(svg.getAttribute('data-focus-x')) : NaN;
            if (isFinite(focus)) {
                scrolls[i].scrollLeft = Math.max(0, focus - scrolls[i].clientWidth * 0.8);
            }
        }
        document.addEventListener('mouseover', function (event) {
            for (var node = event.target; node && node.querySelector; node = node.parentNode) {
                var title = node.querySelector(':scope > title');
                if (title) {
                    info.textContent = title.textContent;
                    return;
                }
            }
        });
        var lanes = document.querySelectorAll('svg.chart g.lane').length;
        document.body.setAttribute('data-lanes', String(lanes));
        var clients = document.querySelectorAll('svg.history g.client').length;
        document.body.setAttribute('data-client-lanes', String(clients));
        document.body.setAttribute('data-rendered', 'ok');
    })();
)js";

}  // namespace raftsim::replay::html_assets
