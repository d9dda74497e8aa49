-- Headless Neovim (0.7 and later): open a package.json, wait for napi-fix's
-- NAPI001, run the quick fix through Neovim's own code-action path, save
-- every buffer, quit. Env: NAPI_FIX (the executable), FIXTURE (the folder),
-- EDITOR_LOG (where to write what happened).
local napi_fix, root, log_path = os.getenv("NAPI_FIX"), os.getenv("FIXTURE"), os.getenv("EDITOR_LOG")
local log = io.open(log_path, "w")
local function say(...)
  log:write(table.concat({...}, " "), "\n")
  log:flush()
end
local function finish(code)
  log:close()
  vim.cmd(code == 0 and "qall!" or "cquit! " .. code)
end

vim.cmd("edit " .. root .. "/package.json")
local config = { name = "napi-fix", cmd = { napi_fix, "lsp" }, root_dir = root }
if vim.lsp.start then
  vim.lsp.start(config)                                  -- 0.8+
else
  vim.lsp.buf_attach_client(0, vim.lsp.start_client(config)) -- 0.7
end

local function napi001()
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.source == "napi-fix" and (d.code == "NAPI001" or (d.user_data and d.user_data.lsp and d.user_data.lsp.code == "NAPI001")) then
      return d
    end
  end
end
if not vim.wait(30000, function() return napi001() ~= nil end, 50) then
  say("no NAPI001 diagnostic")
  return finish(3)
end
local d = napi001()
say("diagnostic", d.lnum, d.col, d.message)

-- Pick the preferred quick fix from the list Neovim would show.
vim.ui.select = function(items, _, on_choice)
  for i, item in ipairs(items) do
    local action = item.action or item[2]
    say("offered", action.title, tostring(action.kind), tostring(action.isPreferred))
  end
  for i, item in ipairs(items) do
    local action = item.action or item[2]
    if action.isPreferred and action.kind == "quickfix" then
      say("chosen", action.title)
      return on_choice(item, i)
    end
  end
  on_choice(nil, nil)
end
vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
local before = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, true), "\n")
vim.lsp.buf.code_action()
if not vim.wait(15000, function()
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, true), "\n") ~= before
end, 50) then
  say("the quick fix changed nothing")
  return finish(4)
end
vim.cmd("silent wall")
say("saved")
-- The server sees the saved buffers; the diagnostic goes away.
if not vim.wait(15000, function() return napi001() == nil end, 50) then
  say("NAPI001 still reported after the fix")
  return finish(5)
end
say("clean")
finish(0)
