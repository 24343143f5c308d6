// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Callbacks an ERC-777-style token makes into sender and receiver contracts.
interface ITokenHooks {
    function tokensToSend(address from, address to, uint256 amount) external;
    function tokensReceived(address from, address to, uint256 amount) external;
}

/// @notice ERC-20 that calls the sender before and the receiver after each transfer, if they have
/// code: the classic re-entrancy vector. Hooks are best effort (a contract without them still works).
contract HookToken is ERC20 {
    constructor() ERC20("Hook Token", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && from.code.length > 0) {
            (bool ok,) = from.call(abi.encodeCall(ITokenHooks.tokensToSend, (from, to, value)));
            ok;
        }
        super._update(from, to, value);
        if (to != address(0) && to.code.length > 0) {
            (bool ok,) = to.call(abi.encodeCall(ITokenHooks.tokensReceived, (from, to, value)));
            ok;
        }
    }
}
